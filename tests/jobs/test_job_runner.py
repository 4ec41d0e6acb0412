"""The job runner in-process: leases, outcomes, retries, incidents, breakers, backpressure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bpmn_engine.errors import BackpressureError, StaleJobLeaseError
from bpmn_engine.models import CircuitBreaker, Incident, Job, ProcessInstance
from bpmn_engine.services import retry_incident, start_instance
from bpmn_engine.services.job_runner import (
    acquire_job,
    execute_job,
    lock_seconds_for,
    report_job_failure,
    report_job_success,
)
from bpmn_engine.services.job_sweeper import dispatch_due_jobs, release_expired_locks
from tests.jobs.conftest import deploy_service_process
from tests.jobs.handlers import attempts_of

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def only_job(instance: ProcessInstance) -> Job:
    return Job.objects.get(instance=instance, state__in=["pending", "locked"])


def test_handled_jobs_run_in_order_and_complete_the_instance(journal):
    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 21})
    job = only_job(instance)
    assert job.external is False
    assert execute_job(job_id=job.pk, worker_id="w1") == "completed"
    assert execute_job(job_id=only_job(instance).pk, worker_id="w1") == "completed"
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert instance.variable_rows.get(name="amount").value == 42
    assert instance.variable_rows.get(name="steps").value == 1


def test_topic_without_a_handler_waits_for_external_workers():
    deploy_service_process("external", "nobody-handles-this")
    instance = start_instance(definition_key="external")
    job = only_job(instance)
    assert job.external is True
    assert execute_job(job_id=job.pk, worker_id="w1") == "skipped"


def test_a_duplicate_delivery_runs_the_handler_once(journal):
    deploy_service_process("doubling", "test-double")
    instance = start_instance(definition_key="doubling", variables={"amount": 1})
    job = only_job(instance)
    assert execute_job(job_id=job.pk, worker_id="w1") == "completed"
    assert execute_job(job_id=job.pk, worker_id="w2") == "skipped"
    assert len(attempts_of(journal, "test-double")) == 1
    assert instance.variable_rows.get(name="amount").value == 2


def test_bpmn_error_from_a_handler_reaches_the_error_boundary(journal):
    deploy_service_process("paying", "test-decline", boundary_error="CARD_DECLINED")
    instance = start_instance(definition_key="paying")
    assert execute_job(job_id=only_job(instance).pk, worker_id="w1") == "bpmn-error"
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert instance.activity_history.filter(node_id="Handled").exists()
    assert instance.variable_rows.get(name="reason").value == "limit"


def test_failures_follow_the_retry_cycle_then_raise_an_incident(journal):
    deploy_service_process("failing", "test-broken", retry_cycle="R3/PT5M")
    instance = start_instance(definition_key="failing", now=T0)
    job = only_job(instance)
    assert job.retries == 3
    due_times = []
    now = T0
    for _ in range(4):
        lease = acquire_job(job_id=job.pk, worker_id="w1", now=now)
        assert lease is not None
        report_job_failure(lease=lease, message="payment service unreachable", now=now)
        job.refresh_from_db()
        due_times.append(job.due_at)
        now = job.due_at
    assert due_times[:3] == [T0 + timedelta(minutes=5 * n) for n in (1, 2, 3)]
    assert job.state == "failed"
    incident = Incident.objects.get(job=job)
    assert incident.kind == "failedJob"
    assert "unreachable" in incident.message
    assert acquire_job(job_id=job.pk, worker_id="w1", now=now + timedelta(hours=1)) is None


def test_retrying_a_failed_job_incident_runs_it_again_and_completes(journal):
    deploy_service_process("flaky", "test-flaky", retry_cycle="R1/PT1S")
    instance = start_instance(definition_key="flaky", variables={"succeed_from": 3})
    job = only_job(instance)
    assert execute_job(job_id=job.pk, worker_id="w1") == "failed"
    Job.objects.filter(pk=job.pk).update(due_at=T0)
    assert execute_job(job_id=job.pk, worker_id="w1") == "failed"
    incident = Incident.objects.get(job=job, state="open")
    retry_incident(incident_id=incident.pk)
    assert Incident.objects.get(pk=incident.pk).state == "resolved"
    assert execute_job(job_id=job.pk, worker_id="w1") == "completed"
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert instance.variable_rows.get(name="attempts_needed").value == 3


def test_default_backoff_grows_exponentially_with_jitter(journal, settings):
    settings.PROCESSION_JOB_BACKOFF_BASE_SECONDS = 10
    deploy_service_process("failing", "test-broken")
    instance = start_instance(definition_key="failing", now=T0)
    job = only_job(instance)
    waits, now = [], T0
    for _ in range(3):
        lease = acquire_job(job_id=job.pk, worker_id="w1", now=now)
        report_job_failure(lease=lease, message="down", now=now)
        job.refresh_from_db()
        waits.append((job.due_at - now).total_seconds())
        now = job.due_at
    assert 5 <= waits[0] <= 10
    assert 5 <= waits[1] <= 20
    assert 5 <= waits[2] <= 40


def test_a_stale_worker_cannot_report_after_its_lease_was_taken_over(journal):
    deploy_service_process("doubling", "test-double")
    instance = start_instance(definition_key="doubling", variables={"amount": 5}, now=T0)
    job = only_job(instance)
    stale = acquire_job(job_id=job.pk, worker_id="slow", now=T0)
    later = T0 + timedelta(hours=1)
    assert release_expired_locks(now=later) == 1
    job.refresh_from_db()
    fresh = acquire_job(job_id=job.pk, worker_id="fast", now=job.due_at)
    report_job_success(lease=fresh, variables={"amount": 10})
    with pytest.raises(StaleJobLeaseError):
        report_job_success(lease=stale, variables={"amount": 999})
    assert instance.variable_rows.get(name="amount").value == 10


def test_an_expired_lock_counts_as_a_failed_delivery_until_an_incident(journal):
    deploy_service_process("crashing", "test-double", retry_cycle="R1/PT1S")
    instance = start_instance(definition_key="crashing", now=T0)
    job = only_job(instance)
    now = T0
    for _ in range(2):
        assert acquire_job(job_id=job.pk, worker_id="doomed", now=now) is not None
        release_expired_locks(now=now + timedelta(hours=1))
        job.refresh_from_db()
        now = job.due_at
    assert job.state == "failed"
    assert "expired" in Incident.objects.get(job=job).message


def test_the_circuit_breaker_opens_after_repeated_failures_and_spares_retries(journal, settings):
    settings.PROCESSION_BREAKER_THRESHOLD = 2
    settings.PROCESSION_BREAKER_COOLDOWN_SECONDS = 60
    deploy_service_process("failing", "test-broken")
    instances = [start_instance(definition_key="failing", now=T0) for _ in range(3)]
    jobs = [only_job(i) for i in instances]
    for job in jobs[:2]:
        report_job_failure(
            lease=acquire_job(job_id=job.pk, worker_id="w", now=T0), message="down", now=T0
        )
    assert CircuitBreaker.objects.get(job_type="test-broken").state == "open"
    assert acquire_job(job_id=jobs[2].pk, worker_id="w", now=T0) is None
    jobs[2].refresh_from_db()
    assert (jobs[2].retries, jobs[2].state) == (3, "pending")
    assert jobs[2].due_at == T0 + timedelta(seconds=60)
    probe = acquire_job(job_id=jobs[2].pk, worker_id="w", now=T0 + timedelta(seconds=61))
    assert probe is not None
    assert CircuitBreaker.objects.get(job_type="test-broken").state == "half_open"
    report_job_success(lease=probe, now=T0 + timedelta(seconds=61))
    breaker = CircuitBreaker.objects.get(job_type="test-broken")
    assert (breaker.state, breaker.consecutive_failures) == ("closed", 0)


def test_starts_are_refused_with_a_retry_hint_when_the_backlog_is_full(journal, settings):
    settings.PROCESSION_MAX_JOB_BACKLOG = 2
    settings.PROCESSION_BACKLOG_CHECK_SECONDS = 0
    deploy_service_process("doubling", "test-double")
    start_instance(definition_key="doubling")
    start_instance(definition_key="doubling")
    start_instance(definition_key="doubling")
    with pytest.raises(BackpressureError) as refused:
        start_instance(definition_key="doubling")
    assert refused.value.retry_after > 0
    assert ProcessInstance.objects.count() == 3


def test_the_sweeper_resends_jobs_whose_message_was_lost(journal, settings):
    settings.PROCESSION_JOB_REDISPATCH_SECONDS = 30
    deploy_service_process("doubling", "test-double")
    instance = start_instance(definition_key="doubling", now=T0)
    job = only_job(instance)
    Job.objects.filter(pk=job.pk).update(dispatched_at=T0)
    assert dispatch_due_jobs(now=T0 + timedelta(seconds=10)) == 0
    assert dispatch_due_jobs(now=T0 + timedelta(seconds=31)) == 1
    job.refresh_from_db()
    assert job.dispatched_at == T0 + timedelta(seconds=31)


@pytest.fixture
def returning():
    """Register ``test-returns`` answering with the given value for this test."""
    from bpmn_engine.jobs.handlers import register_handler, unregister_handler

    def register(value) -> None:
        register_handler("test-returns", lambda job: value, timeout=5)

    register_handler("test-returns", lambda job: None, timeout=5)  # known at deploy
    yield register
    unregister_handler("test-returns")


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        ({"ratio": float("nan")}, "finite number"),
        ({"tags": {"a", "b"}}, "JSON value"),
        (["not", "a", "dict"], "dict or None"),
        ({"blob": "x" * 5000}, "at most 4096 bytes"),
        ({"text": "nul\x00inside"}, "NUL"),
    ],
    ids=["nan", "set", "list", "too-large", "nul"],
)
def test_an_unstorable_handler_result_is_reported_as_a_failure_at_once(
    returning, settings, result, reason
):
    settings.PROCESSION_MAX_HANDLER_RESULT_BYTES = 4096
    deploy_service_process("returning", "test-returns")
    returning(result)
    instance = start_instance(definition_key="returning")
    job = only_job(instance)
    assert execute_job(job_id=job.pk, worker_id="w1") == "failed"
    job.refresh_from_db()
    assert (job.state, job.lock_owner) == ("pending", "")
    assert reason in job.last_error
    assert not instance.variable_rows.filter(name__in=["ratio", "tags", "blob", "text"]).exists()


def test_a_failed_job_incident_is_the_runtimes_and_the_token_keeps_waiting(journal):
    deploy_service_process("broken", "test-broken", retry_cycle="R0/PT1S")
    instance = start_instance(definition_key="broken")
    job = only_job(instance)
    assert execute_job(job_id=job.pk, worker_id="w") == "failed"
    incident = Incident.objects.get(job=job, state="open")
    instance.refresh_from_db()
    [recorded] = instance.state["incidents"].values()
    assert (recorded["id"], recorded["kind"]) == (incident.incident_id, "failedJob")
    assert instance.state["waits"]  # still waiting on the job
    retry_incident(incident_id=incident.pk)
    instance.refresh_from_db()
    assert instance.state["incidents"] == {}
    assert Incident.objects.get(pk=incident.pk).state == "resolved"


def test_whether_a_topic_job_is_external_is_decided_at_deploy_not_by_the_writer(returning):
    from bpmn_engine.jobs.handlers import register_handler, unregister_handler

    deploy_service_process("engine_runs", "test-returns")
    deploy_service_process("workers_fetch", "test-late")
    unregister_handler("test-returns")  # this process no longer knows the handler
    register_handler("test-late", lambda job: None)  # and now knows one more
    try:
        engine_job = only_job(start_instance(definition_key="engine_runs"))
        worker_job = only_job(start_instance(definition_key="workers_fetch"))
    finally:
        unregister_handler("test-late")
    assert (engine_job.external, worker_job.external) == (False, True)


def test_running_a_job_reads_it_once_with_its_instance_and_skips_the_final_reload(journal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 21})
    job = only_job(instance)
    with CaptureQueriesContext(connection) as queries:
        assert execute_job(job_id=job.pk, worker_id="w1") == "completed"
    job_reads = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and 'FROM "bpmn_engine_job"' in q["sql"]
        and "auditchainhead" not in q["sql"]  # the lease's chain head, found by the job
    ]
    leases = [q["sql"] for q in queries if "SET state = 'locked'" in q["sql"]]
    # the lease is one UPDATE that returns the job (with the instance joined on
    # PostgreSQL), and the report reads it once more, locked with its circuit breaker;
    # before: five job reads and 28 statements in all
    assert len(leases) == 1 and "RETURNING" in leases[0], leases
    assert len(job_reads) == 1 and "circuitbreaker" in job_reads[0], job_reads
    assert len(queries) <= 21, [q["sql"][:80] for q in queries]  # 24 before the one-statement lease


def test_a_lease_outlives_the_longer_of_the_messages_and_the_handlers_hard_limit(settings):
    settings.PROCESSION_JOB_LOCK_MARGIN_SECONDS = 30
    deploy_service_process("doubling", "test-double")
    now = T0 + timedelta(minutes=1)
    job = only_job(start_instance(definition_key="doubling", variables={"amount": 1}, now=T0))
    handler_hard = lock_seconds_for("test-double") - 30
    short = acquire_job(job_id=job.pk, worker_id="w1", now=now, hard_limit=1.0)
    job.refresh_from_db()
    assert (short.lock_owner, short.attempt) == ("w1#1", 1)
    assert (job.state, job.lock_owner, job.attempts) == ("locked", "w1#1", 1)
    assert job.lock_expires_at == now + timedelta(seconds=handler_hard + 30)

    other = only_job(start_instance(definition_key="doubling", variables={"amount": 1}, now=T0))
    acquire_job(job_id=other.pk, worker_id="w2", now=now, hard_limit=handler_hard + 100)
    other.refresh_from_db()
    assert other.lock_expires_at == now + timedelta(seconds=handler_hard + 130)


def test_a_job_is_not_leased_before_it_is_due_nor_while_its_instance_is_suspended():
    from bpmn_engine.services import suspend_instance

    deploy_service_process("doubling", "test-double")
    instance = start_instance(definition_key="doubling", variables={"amount": 1}, now=T0)
    job = only_job(instance)
    assert acquire_job(job_id=job.pk, worker_id="w1", now=T0 - timedelta(seconds=1)) is None
    suspend_instance(instance_id=instance.pk)
    assert acquire_job(job_id=job.pk, worker_id="w1", now=T0 + timedelta(seconds=1)) is None
    job.refresh_from_db()
    assert (job.state, job.attempts, job.lock_owner) == ("pending", 0, "")


def test_a_job_of_a_large_instance_reads_its_handlers_input_parts_once(journal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bpmn_engine.persistence.state_parts import SPLIT_AT
    from bpmn_engine.services import deploy_definition
    from tests.services.diagrams import flows, process

    fan_out = process(
        "fan_out_jobs",
        '<bpmn:startEvent id="start"/>'
        '<bpmn:serviceTask id="many" camunda:type="external" camunda:topic="test-double">'
        '<bpmn:multiInstanceLoopCharacteristics isSequential="false">'
        "<bpmn:loopCardinality>${n}</bpmn:loopCardinality>"
        '</bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask><bpmn:endEvent id="end"/>'
        + flows(("start", "many"), ("many", "end")),
    )
    deploy_definition(name="fan_out_jobs", resources={"fan_out_jobs.bpmn": fan_out})
    instance = start_instance(definition_key="fan_out_jobs", variables={"n": SPLIT_AT, "amount": 1})
    job = Job.objects.filter(instance=instance, state="pending").order_by("id").first()
    with CaptureQueriesContext(connection) as queries:
        assert execute_job(job_id=job.pk, worker_id="w1") == "completed"
    part_reads = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "instancestatepart" in q["sql"]
    ]
    # the wait and its scope chain, once for the variables and the inputs together
    keys = [key for sql in part_reads for key in re.findall(r"'([sw]:[\w-]+)'", sql)]
    assert "w:" + job.wait_id in keys
    assert sorted(keys) == sorted(set(keys)), keys
