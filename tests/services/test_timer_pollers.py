"""Two poller processes drain one backlog of due timers on PostgreSQL: they share the
work (``SKIP LOCKED`` claims), every timer fires exactly once and none is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bpmn_engine.models import ActivityHistory, AuditEvent, ProcessInstance, Timer
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.services import deploy_definition, start_instance
from tests.celery_process import ROOT
from tests.jobs.conftest import database_url
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


def start_poller() -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": "memory://",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", POLLER, str(BATCH)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_poller_processes_fire_every_due_timer_exactly_once():
    deploy_definition(name="wait_once", resources={"wait_once.bpmn": ONE_TIMER})
    started_at = timezone.now() - timedelta(hours=1)  # every timer (PT1M) is due already
    ids = [start_instance(definition_key="wait_once", now=started_at).pk for _ in range(TIMERS)]
    pollers = [start_poller(), start_poller()]
    for poller in pollers:  # both set up and connected before either starts
        assert poller.stdout.readline() == "ready\n", poller.communicate()[1]
    for poller in pollers:
        poller.stdin.write("go\n")
        poller.stdin.flush()
    fired = []
    for poller in pollers:
        out, err = poller.communicate(timeout=300)
        assert poller.returncode == 0, err
        fired.append(json.loads(out.strip().splitlines()[-1])["fired"])

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
