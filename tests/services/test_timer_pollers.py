"""Two poller processes drain one backlog of due timers on PostgreSQL: they share the
work (``SKIP LOCKED`` claims), every timer fires exactly once and none is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bpmn_engine.models import ActivityHistory, AuditEvent, ProcessInstance, Timer
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.services import deploy_definition, start_instance
from tests.services import client_processes
from tests.services.test_timer_batches import ONE_TIMER

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several pollers at once is PostgreSQL's case (SKIP LOCKED); SQLite has one",
    ),
]
TIMERS = 600
BATCH = 40

# A poller process: sets up Django and connects, says "ready" on stdout, waits for the
# start signal on stdin, then polls until a poll finds nothing due; prints how many
# timers it fired. The ready/go barrier starts both on the backlog at once, however long
# either took to import.
POLLER = """
import json, sys
import django
django.setup()
from django.db import connection
from bpmn_engine.services import fire_due_timers
connection.ensure_connection()
print("ready", flush=True)
sys.stdin.readline()
fired = 0
while True:
    count = fire_due_timers(limit=int(sys.argv[1]))
    if count == 0:
        break
    fired += count
print(json.dumps({"fired": fired}))
"""


def test_two_poller_processes_fire_every_due_timer_exactly_once():
    deploy_definition(name="wait_once", resources={"wait_once.bpmn": ONE_TIMER})
    started_at = timezone.now() - timedelta(hours=1)  # every timer (PT1M) is due already
    ids = [start_instance(definition_key="wait_once", now=started_at).pk for _ in range(TIMERS)]
    reports = client_processes.run_together(
        [client_processes.start(POLLER, str(BATCH)) for _ in range(2)]
    )
    fired = [report["fired"] for report in reports]

    assert sum(fired) == TIMERS  # each firing counted by the process that made it
    assert all(share > 0 for share in fired), f"one poller did all the work: {fired}"
    assert ProcessInstance.objects.filter(pk__in=ids, status="completed").count() == TIMERS
    assert Timer.objects.filter(instance_id__in=ids, state="fired").count() == TIMERS
    # One finished history row and one audit event per timer: none fired twice.
    waits = ActivityHistory.objects.filter(instance_id__in=ids, node_id="W", state="completed")
    assert waits.count() == TIMERS
    assert len(set(waits.values_list("instance_id", flat=True))) == TIMERS
    events = AuditEvent.objects.filter(instance_id__in=ids, event_type=AuditEventType.TIMER_FIRED)
    assert events.count() == TIMERS
    assert len(set(events.values_list("instance_id", flat=True))) == TIMERS
