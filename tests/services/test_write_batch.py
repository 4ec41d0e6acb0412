"""A command's writes that nobody reads back wait and travel with the next statement or
the COMMIT (PostgreSQL pipeline mode; on SQLite they run at once): later statements of the
same command see them, and a failing one rolls the whole command back."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bpmn_engine.errors import StorageError
from bpmn_engine.models import ProcessInstance, VariableRow
from bpmn_engine.persistence import sql
from bpmn_engine.services.transactions import command
from tests.services.test_transactions import started

pytestmark = pytest.mark.django_db(transaction=True)


def _insert_variable(instance_id: int, name: str) -> None:
    sql.defer(
        f"INSERT INTO {sql.table(VariableRow)} (instance_id, scope_id, name, type, value) "
        f"VALUES (%s, 'root', %s, 'String', {sql.json_placeholder()})",
        (instance_id, name, sql.json_value("x")),
    )


def test_a_statement_after_a_deferred_write_sees_it():
    instance = started()

    @command
    def write_then_read() -> list[str]:
        _insert_variable(instance.pk, "deferred")
        if connection.vendor == "postgresql":
            assert connection.write_batch.pending  # not sent yet
        return list(
            VariableRow.objects.filter(instance_id=instance.pk, name="deferred").values_list(
                "name", flat=True
            )
        )

    assert write_then_read() == ["deferred"]
    assert VariableRow.objects.filter(instance_id=instance.pk, name="deferred").count() == 1


def test_a_failing_deferred_write_rolls_the_whole_command_back():
    instance = started()

    @command
    def write_twice() -> None:
        ProcessInstance.objects.filter(pk=instance.pk).update(business_key="changed")
        _insert_variable(instance.pk, "once")
        _insert_variable(instance.pk, "once")  # the unique (instance, scope, name) refuses it

    with pytest.raises(StorageError):
        write_twice()
    instance.refresh_from_db()
    assert instance.business_key != "changed"
    assert not VariableRow.objects.filter(instance_id=instance.pk, name="once").exists()


def test_deferred_writes_sent_with_the_commit_are_committed():
    instance = started()

    @command
    def write_last() -> None:
        _insert_variable(instance.pk, "last")

    write_last()
    assert VariableRow.objects.filter(instance_id=instance.pk, name="last").count() == 1


def test_the_write_path_prepares_each_statement_once_per_connection():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    started()
    started()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [f"INSERT INTO {sql.table(ProcessInstance)} %"],
        )
        prepared, runs = cursor.fetchone()
    assert prepared == 1
    assert runs >= 2


def test_a_failing_write_path_statement_raises_django_database_error():
    with pytest.raises(DatabaseError), transaction.atomic():
        sql.run("INSERT INTO no_such_table (id) VALUES (%s)", [1])


def test_write_path_statements_are_captured_when_queries_are_logged():
    with CaptureQueriesContext(connection) as captured:
        assert sql.fetchone("SELECT %s", [7]) == (7,)
    assert len(captured) == 1
