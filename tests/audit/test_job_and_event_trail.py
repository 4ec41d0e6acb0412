"""Jobs, external tasks, incidents, messages, signals and timers leave their audit events
with the worker, user or system that acted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from bpmn_engine.models import Incident, Job
from bpmn_engine.services import (
    broadcast_signal,
    correlate_message,
    fire_due_timers,
    retry_incident,
    start_instance,
)
from bpmn_engine.services.external_tasks import (
    TopicRequest,
    complete_external_task,
    extend_external_task_lock,
    fetch_and_lock,
    report_external_failure,
    unlock_external_task,
)
from bpmn_engine.services.job_runner import acquire_job, execute_job, report_job_failure
from tests.audit.conftest import data, of_type, trail
from tests.jobs.conftest import deploy_service_process
from tests.services.conftest import deploy

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
TOPIC = [TopicRequest(name="ship-parcel", lock_duration_ms=60_000)]


def test_a_handled_job_records_its_lock_and_completion_by_the_worker(journal):
    deploy_service_process("doubling", "test-double")
    instance = start_instance(definition_key="doubling", variables={"amount": 21})
    job = Job.objects.get(instance=instance)
    assert execute_job(job_id=job.pk, worker_id="w1") == "completed"
    events = trail(instance.pk)
    (locked,) = of_type(events, "job.locked")
    assert (locked.actor_kind, locked.actor_id, locked.element_id) == ("worker", "w1", "S0")
    assert data(locked)["attempt"] == 1
    (done,) = of_type(events, "job.completed")
    assert (done.actor_kind, done.actor_id) == ("worker", "w1#1")
    assert data(done)["variables"] == {"amount": 42}
    (changed,) = of_type(events, "variable.updated")
    assert (data(changed)["old"], data(changed)["new"]) == (21, 42)


def test_failures_record_each_attempt_then_the_incident_and_its_resolution(journal):
    deploy_service_process("failing", "test-broken", retry_cycle="R1/PT5M")
    instance = start_instance(definition_key="failing", now=T0)
    job = Job.objects.get(instance=instance)
    now = T0
    for _ in range(2):
        lease = acquire_job(job_id=job.pk, worker_id="w9", now=now)
        report_job_failure(lease=lease, message="payment service unreachable", now=now)
        job.refresh_from_db()
        now = job.due_at
    admin = User.objects.create_user("olga")
    incident = Incident.objects.get(job=job)
    retry_incident(incident_id=incident.pk, user=admin)
    events = trail(instance.pk)
    failed = of_type(events, "job.failed")
    assert [(e.actor_id, data(e)["attempt"]) for e in failed] == [("w9#1", 1), ("w9#2", 2)]
    assert "unreachable" in data(failed[0])["message"]
    (raised,) = of_type(events, "incident.raised")
    assert data(raised)["incident_id"] == incident.incident_id  # raised by the runtime
    (resolved,) = of_type(events, "incident.resolved")
    assert (resolved.actor_kind, resolved.actor_id) == ("user", "olga")


@pytest.fixture
def shipping():
    deploy_service_process("shipping", "ship-parcel")
    return start_instance(definition_key="shipping", variables={"weight": 3}, now=T0)


def test_external_task_lock_extension_failure_and_result_name_the_worker(shipping):
    [task] = fetch_and_lock(worker_id="ext-1", topics=TOPIC, now=T0)
    extend_external_task_lock(task_id=task.id, worker_id="ext-1", new_duration_ms=5000, now=T0)
    report_external_failure(
        task_id=task.id, worker_id="ext-1", error_message="carrier down", retries=1, now=T0
    )
    [task] = fetch_and_lock(worker_id="ext-2", topics=TOPIC, now=T0 + timedelta(seconds=1))
    complete_external_task(task_id=task.id, worker_id="ext-2", variables={"tracking": "Z9"})
    events = trail(shipping.pk)
    locks = of_type(events, "external_task.locked")
    assert [(e.actor_kind, e.actor_id) for e in locks] == [("worker", "ext-1"), ("worker", "ext-2")]
    assert data(locks[0])["topic"] == "ship-parcel"
    assert of_type(events, "external_task.lock_extended")[0].actor_id == "ext-1"
    (failed,) = of_type(events, "job.failed")
    assert (failed.actor_id, data(failed)["message"]) == ("ext-1", "carrier down")
    (done,) = of_type(events, "job.completed")
    assert (done.actor_id, data(done)["variables"]) == ("ext-2", {"tracking": "Z9"})


def test_an_operator_unlock_is_recorded(shipping):
    [task] = fetch_and_lock(worker_id="ext-1", topics=TOPIC, now=T0)
    unlock_external_task(task_id=task.id)
    (unlocked,) = of_type(trail(shipping.pk), "external_task.unlocked")
    assert unlocked.actor_kind == "system"
    assert data(unlocked)["job_id"] == task.id


def test_message_correlation_records_the_message_and_its_variables(users):
    deploy("message/payment.bpmn")
    [started] = correlate_message(
        message_name="OrderPlaced", business_key="ORDER-7", user=users["sally"]
    )
    correlate_message(
        message_name="PaymentReceived",
        business_key="ORDER-7",
        variables={"amount": 12},
        user=users["frank"],
    )
    events = trail(started.instance.pk)
    assert events[0].event_type == "instance.started" and events[0].actor_id == "sally"
    (correlated,) = of_type(events, "message.correlated")
    assert correlated.actor_id == "frank"
    assert data(correlated)["message"] == "PaymentReceived"
    assert data(correlated)["variables"] == {"amount": 12}


def test_signal_reception_is_recorded_in_every_receiving_instance():
    deploy("signal/stop_the_line.bpmn")
    instances = [start_instance(definition_key="stop_the_line") for _ in range(2)]
    broadcast_signal(signal_name="StopTheLine")
    for instance in instances:
        (received,) = of_type(trail(instance.pk), "signal.received")
        assert data(received)["signal"] == "StopTheLine"


def test_a_fired_timer_is_recorded_as_the_system(users):
    deploy("timer/review_deadline.bpmn")
    instance = start_instance(definition_key="review_deadline", now=T0)
    fire_due_timers(now=T0 + timedelta(hours=2))
    events = trail(instance.pk)
    (fired,) = of_type(events, "timer.fired")
    assert fired.actor_kind == "system"
    assert fired.occurred_at == T0 + timedelta(hours=2)
    assert [data(e)["wait_id"] for e in of_type(events, "task.cancelled")]
