"""Deferred write-path statements: queued per instance, sent once per statement text for
all instances, always before any other statement, with the version guard checked at the
flush."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bpmn_engine.errors import ConcurrentModificationError
from bpmn_engine.models import ProcessInstance
from bpmn_engine.persistence import deferred, sql
from bpmn_engine.services import deploy_definition, start_instance
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
