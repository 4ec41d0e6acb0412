"""External tasks: fetch-and-lock by topic, complete, failure, BPMN error, lock extension."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bpmn_engine.errors import ExternalTaskLockError
from bpmn_engine.models import Incident, Job
from bpmn_engine.services import start_instance
from bpmn_engine.services.external_tasks import (
    TopicRequest,
    complete_external_task,
    extend_external_task_lock,
    fetch_and_lock,
    report_external_bpmn_error,
    report_external_failure,
)
from bpmn_engine.services.job_sweeper import release_expired_locks
from tests.jobs.conftest import deploy_service_process

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
TOPIC = [TopicRequest(name="ship-parcel", lock_duration_ms=60_000)]


@pytest.fixture
def shipping():
    deploy_service_process("shipping", "ship-parcel")
    return start_instance(
        definition_key="shipping",
        business_key="P-1",
        variables={"weight": 3, "address": "Main St"},
        now=T0,
    )


def test_fetch_and_lock_hands_a_task_to_one_worker_only(shipping):
    [task] = fetch_and_lock(worker_id="w1", topics=TOPIC, max_tasks=5, now=T0)
    assert (task.topic_name, task.activity_id, task.business_key) == ("ship-parcel", "S0", "P-1")
    assert task.variables == {"weight": 3, "address": "Main St"}
    assert task.lock_expiration_time == T0 + timedelta(minutes=1)
    assert fetch_and_lock(worker_id="w2", topics=TOPIC, max_tasks=5, now=T0) == []


def test_fetch_returns_only_the_requested_variables(shipping):
    topic = [TopicRequest(name="ship-parcel", variables=("weight",))]
    [task] = fetch_and_lock(worker_id="w1", topics=topic, now=T0)
    assert task.variables == {"weight": 3}


def test_completing_an_external_task_moves_the_instance_on(shipping):
    [task] = fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0)
    complete_external_task(task_id=task.id, worker_id="w1", variables={"tracking": "TR-9"})
    shipping.refresh_from_db()
    assert shipping.status == "completed"
    assert shipping.variable_rows.get(name="tracking").value == "TR-9"


def test_another_worker_cannot_complete_a_locked_task(shipping):
    [task] = fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0)
    with pytest.raises(ExternalTaskLockError, match="w1 holds it"):
        complete_external_task(task_id=task.id, worker_id="w2")
    assert Job.objects.get(pk=task.id).state == "locked"


def test_failure_with_retries_makes_the_task_fetchable_after_the_timeout(shipping):
    [task] = fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0)
    report_external_failure(
        task_id=task.id,
        worker_id="w1",
        error_message="printer jam",
        retries=2,
        retry_timeout_ms=30_000,
        now=T0,
    )
    assert fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0 + timedelta(seconds=10)) == []
    [again] = fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0 + timedelta(seconds=31))
    assert (again.retries, again.error_message) == (2, "printer jam")


def test_failure_without_retries_raises_an_incident(shipping):
    [task] = fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0)
    report_external_failure(
        task_id=task.id,
        worker_id="w1",
        error_message="no such address",
        error_details="Traceback ...",
        retries=0,
        now=T0,
    )
    incident = Incident.objects.get(job_id=task.id)
    assert (incident.message, incident.details) == ("no such address", "Traceback ...")
    assert fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0 + timedelta(days=1)) == []


def test_bpmn_error_from_an_external_worker_reaches_the_boundary():
    deploy_service_process("paying", "charge-card", boundary_error="CARD_DECLINED")
    instance = start_instance(definition_key="paying")
    [task] = fetch_and_lock(worker_id="w1", topics=[TopicRequest(name="charge-card")])
    report_external_bpmn_error(task_id=task.id, worker_id="w1", error_code="CARD_DECLINED")
    instance.refresh_from_db()
    assert instance.activity_history.filter(node_id="Handled").exists()


def test_an_expired_lock_returns_the_task_to_the_pool_without_burning_retries(shipping):
    [task] = fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0)
    release_expired_locks(now=T0 + timedelta(minutes=2))
    job = Job.objects.get(pk=task.id)
    assert (job.state, job.retries) == ("pending", 3)
    [again] = fetch_and_lock(worker_id="w2", topics=TOPIC, now=T0 + timedelta(minutes=2))
    assert again.id == task.id


def test_extending_the_lock_keeps_the_task_from_expiring(shipping):
    [task] = fetch_and_lock(worker_id="w1", topics=TOPIC, now=T0)
    extend_external_task_lock(
        task_id=task.id, worker_id="w1", new_duration_ms=600_000, now=T0 + timedelta(seconds=50)
    )
    release_expired_locks(now=T0 + timedelta(minutes=5))
    assert Job.objects.get(pk=task.id).state == "locked"
    with pytest.raises(ExternalTaskLockError):
        extend_external_task_lock(task_id=task.id, worker_id="w2", new_duration_ms=1000)
