"""Commands on large instances write more rows than SQLite binds parameters in one
statement (a 10,000-token start inserts 10,000 token rows and ~20,000 audit events): the
multi-row inserts go in batches the database accepts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from bpmn_engine.audit.writer import Actor, Entry, record_entries
from bpmn_engine.models import AuditEvent, ProcessInstance, TokenRow
from bpmn_engine.models.audit import ActorKind
from bpmn_engine.persistence import sql
from bpmn_engine.services import deploy_definition, start_instance
from tests.services.diagrams import flows, process

ROWS = 60_000  # x 5 columns: more parameters than SQLite binds at most (250,000 here)
EVENTS = 25_000  # x 12 columns


def an_instance() -> ProcessInstance:
    deploy_definition(
        name="wait",
        resources={
            "wait.bpmn": process(
                "wait",
                '<bpmn:startEvent id="start"/><bpmn:userTask id="task"/>'
                + flows(("start", "task")),
            )
        },
    )
    return start_instance(definition_key="wait")


def test_thousands_of_token_rows_are_inserted_in_batches(db):
    instance = an_instance()
    rows = [(instance.pk, f"x-{n}", "task", "root", "waiting") for n in range(ROWS)]
    with transaction.atomic():
        sql.insert_rows(TokenRow, ("instance_id", "token_id", "node_id", "scope_id", "state"), rows)
    assert TokenRow.objects.filter(instance=instance, token_id__startswith="x-").count() == ROWS


def test_thousands_of_audit_events_are_chained_and_inserted_in_batches(db):
    instance = an_instance()
    before = AuditEvent.objects.filter(instance_id=instance.pk).count()
    now = timezone.now()
    entries = [
        Entry("variable_created", Actor(ActorKind.SYSTEM), now, instance.pk, data={"n": n})
        for n in range(EVENTS)
    ]
    with transaction.atomic():
        record_entries(entries)
    events = AuditEvent.objects.filter(instance_id=instance.pk).order_by("seq")
    assert events.count() == before + EVENTS
    assert [e.seq for e in events] == list(range(1, before + EVENTS + 1))
