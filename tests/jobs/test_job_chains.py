"""A job's report leases the next job its step creates and the same call runs it, while
the message's time left covers that job's limits; otherwise the next job gets its own
message as before."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bpmn_engine.audit.verify import verify
from bpmn_engine.jobs.dispatch import message_limits_for, time_limits_for
from bpmn_engine.jobs.time_limits import MessageBudget
from bpmn_engine.models import AuditEvent, CircuitBreaker, Job, ProcessInstance
from bpmn_engine.services import start_instance
from bpmn_engine.services.job_outcomes import Completed
from bpmn_engine.services.job_runner import (
    claim_job_to_run,
    execute_job,
    report_and_claim_next,
)
from tests.jobs.conftest import deploy_service_process
from tests.jobs.handlers import attempts_of

pytestmark = pytest.mark.django_db


def a_whole_message() -> MessageBudget:
    _, hard = message_limits_for("test-double")
    return MessageBudget.starting_now(hard)


def job_at(instance: ProcessInstance, node_id: str) -> Job:
    return Job.objects.get(instance=instance, node_id=node_id)


def test_a_message_runs_the_next_job_of_its_instance_without_another_doorbell(
    journal, django_capture_on_commit_callbacks
):
    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 21})
    first = job_at(instance, "S0")
    with django_capture_on_commit_callbacks() as doorbells:
        outcome = execute_job(job_id=first.pk, worker_id="w1", budget=a_whole_message())
    assert outcome == "completed,completed"
    assert doorbells == []  # the second job was leased in the first one's report
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert instance.variable_rows.get(name="amount").value == 42
    second = job_at(instance, "S1")
    assert (second.state, second.attempts, second.lock_owner) == ("completed", 1, "")
    assert len(attempts_of(journal, "test-increment")) == 1
    assert verify(instance_id=instance.pk).breaks == []
    locked = AuditEvent.objects.filter(instance_id=instance.pk, event_type="job.locked")
    assert sorted(json.loads(e.data)["job_id"] for e in locked) == [first.pk, second.pk]


def test_without_a_message_budget_the_next_job_waits_for_its_own_message(
    journal, django_capture_on_commit_callbacks
):
    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 1})
    with django_capture_on_commit_callbacks() as doorbells:
        assert execute_job(job_id=job_at(instance, "S0").pk, worker_id="w1") == "completed"
    assert len(doorbells) == 1
    assert job_at(instance, "S1").state == "pending"


def test_a_next_job_whose_limits_the_message_no_longer_covers_gets_its_own_message(
    journal, django_capture_on_commit_callbacks
):
    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 1})
    _, increment_hard = time_limits_for("test-increment")
    short = MessageBudget.starting_now(increment_hard)  # less the report's reserve: too little
    with django_capture_on_commit_callbacks() as doorbells:
        assert execute_job(job_id=job_at(instance, "S0").pk, worker_id="w1", budget=short) == (
            "completed"
        )
    assert len(doorbells) == 1
    second = job_at(instance, "S1")
    assert (second.state, second.attempts) == ("pending", 0)


def test_a_next_job_leased_in_a_report_holds_its_lease_past_the_messages_hard_limit(
    journal, settings
):
    settings.PROCESSION_JOB_LOCK_MARGIN_SECONDS = 30
    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 1})
    lease, _ = claim_job_to_run(job_id=job_at(instance, "S0").pk, worker_id="w1")
    budget = MessageBudget.starting_now(500)
    now = timezone.now()
    claimed = report_and_claim_next(
        lease=lease, outcome=Completed({}), worker_id="w1", budget=budget, now=now
    )
    assert claimed is not None
    next_lease, job = claimed
    second = job_at(instance, "S1")
    assert (second.pk, second.state, second.lock_owner) == (job.pk, "locked", "w1#1")
    assert next_lease.lock_owner == "w1#1"
    # at least the message's time left (under 500 s by now) plus the margin
    assert now + timedelta(seconds=499) < second.lock_expires_at
    assert second.lock_expires_at <= now + timedelta(seconds=530)


def test_a_next_job_held_back_by_its_open_breaker_is_not_leased_but_dispatched(
    journal, django_capture_on_commit_callbacks
):
    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 1})
    CircuitBreaker.objects.create(
        job_type="test-increment",
        state="open",
        consecutive_failures=5,
        open_until=timezone.now() + timedelta(minutes=5),
    )
    with django_capture_on_commit_callbacks() as doorbells:
        outcome = execute_job(
            job_id=job_at(instance, "S0").pk, worker_id="w1", budget=a_whole_message()
        )
    assert outcome == "completed"
    assert len(doorbells) == 1
    assert job_at(instance, "S1").state == "pending"


def test_a_chain_of_two_jobs_takes_fewer_statements_than_two_messages(journal):
    deploy_service_process("doubling", "test-double", "test-increment")
    chained = start_instance(definition_key="doubling", variables={"amount": 1})
    apart = start_instance(definition_key="doubling", variables={"amount": 1})
    with CaptureQueriesContext(connection) as one_message:
        execute_job(job_id=job_at(chained, "S0").pk, worker_id="w1", budget=a_whole_message())
    with CaptureQueriesContext(connection) as two_messages:
        execute_job(job_id=job_at(apart, "S0").pk, worker_id="w1")
        execute_job(job_id=job_at(apart, "S1").pk, worker_id="w1")
    # the second lease rides in the first report (one statement, no chain-head read, its
    # audit event in the report's insert): 33 statements instead of 39 on PostgreSQL,
    # 36 instead of 43 on SQLite
    assert len(one_message) < len(two_messages), (len(one_message), len(two_messages))
    assert len(one_message) <= 36, [q["sql"][:80] for q in one_message]
