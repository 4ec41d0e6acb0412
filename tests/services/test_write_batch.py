"""A command's writes that nobody reads back wait and travel with the next statement or
the COMMIT (PostgreSQL pipeline mode; on SQLite they run at once): later statements of the
same command see them, and a failing one rolls the whole command back."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bpmn_engine.errors import StorageError
from bpmn_engine.models import ActivityHistory, ProcessInstance, TokenRow, VariableRow
from bpmn_engine.models.audit import AuditChainHead
from bpmn_engine.persistence import sql
from bpmn_engine.persistence.history import _COLUMNS as history_columns
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
            [f"%INSERT INTO {sql.table(ProcessInstance)} %"],
        )
        prepared, runs = cursor.fetchone()
    assert prepared == 1
    assert runs >= 2


def test_a_connection_keeps_more_statements_prepared_than_psycopgs_default_of_100():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    texts = [f"SELECT %s::int + {n}" for n in range(150)]
    for text in texts:  # a mix of commands whose merged statements outnumber 100
        assert sql.fetchone(text, [1]) is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT $1::int + %"],
        )
        assert cursor.fetchone()[0] == len(texts)  # none deallocated to make room


def test_a_failing_write_path_statement_raises_django_database_error():
    with pytest.raises(DatabaseError), transaction.atomic():
        sql.run("INSERT INTO no_such_table (id) VALUES (%s)", [1])


def test_write_path_statements_are_captured_when_queries_are_logged():
    with CaptureQueriesContext(connection) as captured:
        assert sql.fetchone("SELECT %s", [7]) == (7,)
    assert len(captured) == 1


def _set_variable(instance_id: int, name: str, value: str) -> None:
    sql.defer(
        f"UPDATE {sql.table(VariableRow)} SET value = {sql.json_placeholder()} "
        "WHERE instance_id = %s AND scope_id = 'root' AND name = %s",
        (sql.json_value(value), instance_id, name),
    )


def test_a_deferred_update_sees_the_row_a_deferred_insert_before_it_wrote():
    instance = started()

    @command
    def insert_then_update() -> None:
        _insert_variable(instance.pk, "late")
        _set_variable(instance.pk, "late", "updated")

    insert_then_update()
    row = VariableRow.objects.get(instance_id=instance.pk, name="late")
    assert row.value == "updated"


def test_a_commands_deferred_writes_to_different_tables_reach_the_server_as_one_statement():
    if connection.vendor != "postgresql":
        pytest.skip("deferred writes are PostgreSQL's (SQLite runs each at once)")
    instance = started()

    @command
    def three_tables() -> None:
        _insert_variable(instance.pk, "one")
        sql.defer(f"DELETE FROM {sql.table(TokenRow)} WHERE instance_id = %s", (instance.pk,))
        sql.defer(
            f"UPDATE {sql.table(ActivityHistory)} SET actor = %s WHERE instance_id = %s",
            ("merged", instance.pk),
        )

    with CaptureQueriesContext(connection) as captured:
        three_tables()
    writes = [q["sql"] for q in captured if "INSERT" in q["sql"] or "UPDATE" in q["sql"]]
    assert len(writes) == 1
    assert VariableRow.objects.filter(instance_id=instance.pk, name="one").count() == 1
    assert not TokenRow.objects.filter(instance_id=instance.pk).exists()
    assert set(
        ActivityHistory.objects.filter(instance_id=instance.pk).values_list("actor", flat=True)
    ) == {"merged"}


def _texts(pending: list[tuple[str, list[int]]]) -> list[str]:
    return [text for text, _ in sql.merged(pending)]


def test_writes_to_different_tables_merge_into_one_statement_with_their_parameters_in_order():
    merged = sql.merged(
        [
            ('INSERT INTO "a" (x) VALUES (%s)', [1]),
            ('UPDATE "b" SET x = %s WHERE id = %s', [2, 3]),
            ('DELETE FROM "c" WHERE id = %s', [4]),
        ]
    )
    assert merged == [
        (
            'WITH _wb0 AS (INSERT INTO "a" (x) VALUES (%s)), '
            '_wb1 AS (UPDATE "b" SET x = %s WHERE id = %s) DELETE FROM "c" WHERE id = %s',
            [1, 2, 3, 4],
        )
    ]


def test_a_write_that_reads_a_table_written_before_it_starts_a_new_statement():
    insert = ('INSERT INTO "a" (x) VALUES (%s)', [1])
    assert len(_texts([insert, ('UPDATE "a" SET x = %s', [2])])) == 2
    assert len(_texts([insert, ('DELETE FROM "a" WHERE x = %s', [2])])) == 2
    assert len(_texts([insert, ('INSERT INTO "b" (x) SELECT x FROM "a" WHERE x = %s', [2])])) == 2
    upsert = ('INSERT INTO "a" (x) VALUES (%s) ON CONFLICT (x) DO UPDATE SET x = excluded.x', [2])
    assert len(_texts([insert, upsert])) == 2
    # each table once per statement: ids taken from its sequence keep the order of the
    # writes (the server runs a statement's parts in an order of its own)
    assert len(_texts([insert, insert])) == 2
    assert len(_texts([('UPDATE "a" SET x = %s', [2]), insert])) == 2
    assert len(_texts([insert, ('INSERT INTO "b" (x) VALUES (%s)', [2]), insert])) == 2


def test_a_write_with_its_own_with_clause_ends_its_merged_statement():
    own = (
        'WITH e AS (INSERT INTO "h" (x) VALUES (%s) RETURNING x) INSERT INTO "g" SELECT x FROM e',
        [9],
    )
    texts = _texts(
        [('INSERT INTO "a" (x) VALUES (%s)', [1]), own, ('INSERT INTO "b" (x) VALUES (%s)', [2])]
    )
    assert texts[0].startswith(
        'WITH _wb0 AS (INSERT INTO "a" (x) VALUES (%s)), e AS (INSERT INTO "h"'
    )
    assert texts[1] == 'INSERT INTO "b" (x) VALUES (%s)'
    assert _texts([('WITH RECURSIVE r AS (SELECT 1) DELETE FROM "a"', [])])[0].startswith(
        "WITH RECURSIVE"
    )


def test_a_plain_insert_joins_after_an_update_of_a_table_keyed_only_by_its_id():
    history, variables = sql.table(ActivityHistory), sql.table(VariableRow)
    close = (f"UPDATE {history} SET state = %s WHERE instance_id = %s AND node_id = %s", [1])
    open_ = (f"INSERT INTO {history} (instance_id, node_id) VALUES (%s, %s)", [2])
    # a step closes its activity row and opens the next ones: one statement
    assert len(_texts([close, open_])) == 1
    assert len(_texts([(f"DELETE FROM {history} WHERE instance_id = %s", [1]), open_])) == 1
    # not the other way round (the update must see the inserted rows), not two inserts
    # (ids in the order of the writes), not on a table with a unique key of its own
    assert len(_texts([open_, close])) == 2
    assert len(_texts([close, open_, open_])) == 2
    keyed = (f"UPDATE {variables} SET name = %s WHERE instance_id = %s", [1])
    insert = (f"INSERT INTO {variables} (instance_id, name) VALUES (%s, %s)", [2])
    assert len(_texts([keyed, insert])) == 2
    # nor where the writer chooses the primary key (a chain head's stream)
    heads = sql.table(AuditChainHead)
    drop = (f"DELETE FROM {heads} WHERE stream = %s", ["s"])
    assert len(_texts([drop, (f"INSERT INTO {heads} (stream) VALUES (%s)", ["s"])])) == 2


def test_closing_and_opening_activity_rows_in_one_statement_keeps_both():
    instance = started()

    now = sql.when(instance.started_at)

    @command
    def close_then_open() -> None:
        sql.defer(
            f"UPDATE {sql.table(ActivityHistory)} SET actor = %s WHERE instance_id = %s",
            ("closer", instance.pk),
        )
        sql.insert_rows(
            ActivityHistory,
            history_columns,
            [(instance.pk, "Next", "userTask", "", "t9", "root", "active", "", "", now, None)],
        )

    before = set(
        ActivityHistory.objects.filter(instance_id=instance.pk).values_list("pk", flat=True)
    )
    close_then_open()
    rows = ActivityHistory.objects.filter(instance_id=instance.pk)
    assert {r.actor for r in rows if r.pk in before} == {"closer"}
    (opened,) = [r for r in rows if r.pk not in before]
    assert (opened.node_id, opened.actor) == ("Next", "")  # the update did not reach it
