"""Deferred write-path statements: queued per instance, sent once per statement text for
all instances, always before any other statement, with the version guard checked at the
flush."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bpmn_engine.errors import ConcurrentModificationError
from bpmn_engine.models import ActivityHistory, ProcessInstance, Timer
from bpmn_engine.persistence import deferred, sql
from bpmn_engine.services import deploy_definition, fire_due_timers, start_instance
from tests.services.conftest import T0
from tests.services.test_timer_batches import ONE_TIMER

pytestmark = pytest.mark.django_db(transaction=True)
RENAME = f"UPDATE {sql.table(ProcessInstance)} SET business_key = %s WHERE id = %s"
BUMP = f"UPDATE {sql.table(ProcessInstance)} SET version = version + 1 WHERE id = %s"


def instances(count: int) -> list[int]:
    deploy_definition(name="wait_once", resources={"wait_once.bpmn": ONE_TIMER})
    return [start_instance(definition_key="wait_once", now=T0).pk for _ in range(count)]


def test_statements_of_many_instances_go_out_once_per_statement_text():
    ids = instances(3)
    with (
        transaction.atomic(),
        CaptureQueriesContext(connection) as queries,
        deferred.deferring() as queue,
    ):
        for pk in ids:
            with deferred.writing_for(pk):
                sql.execute(RENAME, (f"key-{pk}", pk))
                sql.execute(BUMP, (pk,))
    assert queue.statements == 6
    assert len(queries) == 2  # two statement texts, each run once for all three instances
    rows = ProcessInstance.objects.filter(pk__in=ids).values_list("pk", "business_key")
    assert dict(rows) == {pk: f"key-{pk}" for pk in ids}


def test_a_read_inside_the_block_sees_the_writes_queued_before_it():
    [pk] = instances(1)
    with transaction.atomic(), deferred.deferring():
        with deferred.writing_for(pk):
            sql.execute(RENAME, ("renamed", pk))
        assert ProcessInstance.objects.get(pk=pk).business_key == "renamed"


def test_statements_outside_a_step_run_at_once():
    [pk] = instances(1)
    with transaction.atomic(), deferred.deferring() as queue:
        sql.execute(RENAME, ("now", pk))
        assert queue.statements == 0
    assert ProcessInstance.objects.get(pk=pk).business_key == "now"


def test_a_guarded_write_that_changes_no_row_fails_at_the_flush():
    [pk] = instances(1)
    table = sql.table(ProcessInstance)
    guarded = f"UPDATE {table} SET version = 99 WHERE id = %s AND version = 0"
    with (
        pytest.raises(ConcurrentModificationError),
        transaction.atomic(),
        deferred.deferring(),
        deferred.writing_for(pk),
    ):
        assert sql.execute(guarded, (pk,), expect=1) == 1  # queued, not run yet
    assert ProcessInstance.objects.get(pk=pk).version != 99


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="set-based writes are PostgreSQL's"
)


@on_postgresql
def test_a_batch_of_timers_writes_each_table_in_one_statement_for_all_its_instances():
    ids = instances(5)
    with CaptureQueriesContext(connection) as queries:
        assert fire_due_timers(now=T0 + timedelta(minutes=5)) == 5
    writes = [q["sql"] for q in queries if "unnest(" in q["sql"]]
    # instance, token, timer, history close and history insert: one statement each
    assert len(writes) == 5
    assert not [q for q in queries if " times: " in q["sql"]]  # no statement per row
    assert set(ProcessInstance.objects.filter(pk__in=ids).values_list("status", "version")) == {
        ("completed", 2)
    }
    assert set(Timer.objects.filter(instance_id__in=ids).values_list("state", flat=True)) == {
        "fired"
    }


@on_postgresql
def test_one_stale_instance_among_many_fails_the_set_based_write():
    first, second = instances(2)
    table = sql.table(ProcessInstance)
    guarded = f"UPDATE {table} SET business_key = %s WHERE id = %s AND version = %s"
    with (
        pytest.raises(ConcurrentModificationError),
        transaction.atomic(),
        deferred.deferring(),
    ):
        with deferred.writing_for(first):
            sql.execute(guarded, ("a", first, 1), expect=1)
        with deferred.writing_for(second):
            sql.execute(guarded, ("b", second, 7), expect=1)  # not its version
    assert not ProcessInstance.objects.filter(business_key__in=["a", "b"]).exists()


AWKWARD = ['quote " and \\ backslash', "", "NULL", "{a,b}", " spaced ", "ünï 😀", "x"]


def test_set_based_rows_keep_every_value_as_it_was_given():
    """Rows written together (an ``INSERT`` of several rows, a ``DELETE`` with an ``IN``
    list) read back exactly, whatever the text holds."""
    [pk] = instances(1)
    table = sql.table(ActivityHistory)
    columns = ("instance_id", "node_id", "node_type", "name", "token_id", "scope_id")
    columns += ("state", "actor", "loop_role", "started_at", "ended_at")
    rows = [
        (pk, f"n{i}", "task", text, f"t{i}", "", "completed", "", "", sql.when(T0), None)
        for i, text in enumerate(AWKWARD)
    ]
    rows[-1] = (pk, "n6", "task", "x", "t6", "", "active", "", "", sql.when(T0), sql.when(T0))
    marks = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * 4)
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {marks}"
    one = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * 3)
    insert_three = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {one}"
    delete = f"DELETE FROM {table} WHERE instance_id = %s AND token_id IN (%s, %s)"
    before = ActivityHistory.objects.filter(instance_id=pk).count()
    with transaction.atomic(), deferred.deferring(), deferred.writing_for(pk):
        sql.execute(insert, [v for row in rows[:4] for v in row])
        sql.execute(insert_three, [v for row in rows[4:] for v in row])
    stored = dict(
        ActivityHistory.objects.filter(instance_id=pk, node_id__startswith="n").values_list(
            "token_id", "name"
        )
    )
    assert stored == {f"t{i}": text for i, (_, _, _, text, *_) in enumerate(rows)}
    assert ActivityHistory.objects.get(instance_id=pk, token_id="t6").ended_at == T0
    with transaction.atomic(), deferred.deferring(), deferred.writing_for(pk):
        sql.execute(delete, (pk, "t0", "t1"))
    assert ActivityHistory.objects.filter(instance_id=pk).count() == before + 5


@on_postgresql
def test_a_text_postgresql_cannot_hold_fails_the_write_instead_of_shifting_the_rows():
    first, second = instances(2)
    rename = f"UPDATE {sql.table(ProcessInstance)} SET business_key = %s WHERE id = %s"
    with pytest.raises(DatabaseError), transaction.atomic(), deferred.deferring():
        with deferred.writing_for(first):
            sql.execute(rename, ("a\x00b", first))
        with deferred.writing_for(second):
            sql.execute(rename, ("c", second))
