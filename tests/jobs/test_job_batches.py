"""Several jobs per message: waiting doorbells go out together, the worker leases the jobs
in one statement, runs them one after another and reports them in one transaction, with
the same outcomes, fencing and audit trail as jobs run one by one."""

from __future__ import annotations

import json
import queue
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from bpmn_engine.audit.verify import verify
from bpmn_engine.jobs import dispatch, handler_timing
from bpmn_engine.jobs.dispatch import Publisher, job_types_sent_with, message_limits_for
from bpmn_engine.jobs.tasks import run_job
from bpmn_engine.jobs.time_limits import MessageBudget
from bpmn_engine.models import AuditEvent, Incident, Job, ProcessInstance
from bpmn_engine.services import deploy_definition, start_instance
from bpmn_engine.services.job_batches import (
    claim_jobs_to_run,
    execute_jobs,
    report_batch,
)
from bpmn_engine.services.job_outcomes import Completed, ErrorThrown, Failed
from bpmn_engine.services.job_runner import execute_job
from bpmn_engine.services.job_sweeper import dispatch_due_jobs, release_expired_locks
from tests.jobs.conftest import deploy_service_process
from tests.jobs.handlers import attempts_of

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def a_whole_message(count: int) -> MessageBudget:
    _, hard = message_limits_for("test-double", count)
    return MessageBudget.starting_now(hard)


def first_jobs(*instances: ProcessInstance) -> list[int]:
    return [Job.objects.get(instance=i, node_id="S0").pk for i in instances]


def completed(instance: ProcessInstance) -> bool:
    instance.refresh_from_db()
    return instance.status == "completed"


def trail(instance: ProcessInstance) -> list[tuple[str, str, str]]:
    """The instance's audit events as a single job run would write them, ids aside."""
    events = AuditEvent.objects.filter(instance_id=instance.pk).order_by("seq")
    return [(e.event_type, e.element_id, e.actor_kind) for e in events]


# ---------------------------------------------------------------------------- the publisher


class SentTasks:
    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...], float, float]] = []

    def __call__(self, name, args, retry, soft_time_limit, time_limit) -> None:
        self.sent.append((name, args, soft_time_limit, time_limit))


@pytest.fixture
def sent(monkeypatch) -> SentTasks:
    tasks = SentTasks()
    monkeypatch.setattr(dispatch.current_app, "send_task", tasks)
    return tasks


def waiting_publisher(*doorbells: tuple[int, str]) -> Publisher:
    publisher = Publisher()
    publisher._queue = queue.Queue()
    for doorbell in doorbells:
        publisher._queue.put(doorbell)
    return publisher


def test_waiting_doorbells_go_out_as_one_message_carrying_several_ids(sent, settings):
    settings.PROCESSION_JOB_BATCH_SIZE = 8
    publisher = waiting_publisher(*[(pk, "test-double") for pk in (11, 12, 13)])
    publisher.publish_waiting()
    soft, hard = message_limits_for("test-double", 3)
    assert sent.sent == [("procession.run_jobs", ([11, 12, 13],), soft, hard)]
    assert publisher._queue.unfinished_tasks == 0


def test_a_lone_doorbell_goes_out_at_once_as_a_single_job_message(sent):
    publisher = waiting_publisher((21, "test-double"))
    publisher.publish_waiting()
    soft, hard = message_limits_for("test-double")
    assert sent.sent == [("procession.run_job", (21,), soft, hard)]


def test_a_message_carries_at_most_the_batch_size_and_only_jobs_of_matching_limits(sent, settings):
    settings.PROCESSION_JOB_BATCH_SIZE = 2
    publisher = waiting_publisher(
        (1, "test-double"), (2, "test-sleepy"), (3, "test-increment"), (4, "test-double")
    )
    publisher.publish_waiting()
    # test-double and test-increment share their limits; test-sleepy's are shorter
    assert [(name, args) for name, args, _, _ in sent.sent] == [
        ("procession.run_jobs", ([1, 3],)),
        ("procession.run_job", (2,)),
        ("procession.run_job", (4,)),
    ]


def test_the_sweeper_resends_lost_jobs_several_per_message(sent, settings):
    settings.PROCESSION_JOB_BATCH_SIZE = 8
    settings.PROCESSION_JOB_REDISPATCH_SECONDS = 30
    deploy_service_process("doubling", "test-double")
    for n in range(3):
        start_instance(definition_key="doubling", variables={"amount": n}, now=T0)
    Job.objects.update(dispatched_at=T0)  # sent, and the messages were lost
    sent.sent.clear()
    assert dispatch_due_jobs(now=T0 + timedelta(seconds=31)) == 3
    assert [name for name, *_ in sent.sent] == ["procession.run_jobs"]
    assert sorted(sent.sent[0][1][0]) == sorted(Job.objects.values_list("pk", flat=True))


# ---------------------------------------------------------------------------- the worker


def test_a_batch_runs_each_job_once_and_chains_each_instances_next_job(
    journal, django_capture_on_commit_callbacks
):
    deploy_service_process("doubling", "test-double", "test-increment")
    instances = [
        start_instance(definition_key="doubling", variables={"amount": n}) for n in range(3)
    ]
    with django_capture_on_commit_callbacks() as doorbells:
        outcome = execute_jobs(
            job_ids=first_jobs(*instances), worker_id="w1", budget=a_whole_message(3)
        )
    assert outcome == ",".join(["completed"] * 6)
    assert doorbells == []  # every second job was leased in the batch's report
    for n, instance in enumerate(instances):
        assert completed(instance)
        assert instance.variable_rows.get(name="amount").value == 2 * n
        assert instance.variable_rows.get(name="steps").value == 1
        assert verify(instance_id=instance.pk).breaks == []
    assert len(attempts_of(journal, "test-double")) == 3
    assert len(attempts_of(journal, "test-increment")) == 3
    assert set(Job.objects.values_list("state", "attempts")) == {("completed", 1)}


def test_a_batch_reports_each_outcome_with_the_audit_trail_of_single_jobs(journal):
    deploy_service_process("doubling", "test-double", "test-increment")
    deploy_service_process("declining", "test-decline", boundary_error="CARD_DECLINED")
    deploy_service_process("failing", "test-broken", retry_cycle="R2/PT5M")
    deploy_service_process("giving-up", "test-broken", retry_cycle="R0/PT5M")

    def start_all() -> list[ProcessInstance]:
        return [
            start_instance(definition_key=key, variables={"amount": 3})
            for key in ("doubling", "declining", "failing", "giving-up")
        ]

    alone, together = start_all(), start_all()
    singles = [execute_job(job_id=pk, worker_id="w1") for pk in first_jobs(*alone)]
    batch = execute_jobs(job_ids=first_jobs(*together), worker_id="w1")
    assert singles == ["completed", "bpmn-error", "failed", "failed"]
    assert batch == ",".join(singles)
    for one, other in zip(alone, together, strict=True):
        assert trail(one) == trail(other)
        assert verify(instance_id=other.pk).breaks == []
    doubling, declining, failing, giving_up = together
    assert Job.objects.get(instance=doubling, node_id="S1").state == "pending"
    assert completed(declining)
    retried = Job.objects.get(instance=failing)
    assert (retried.state, retried.retries) == ("pending", 1)
    assert retried.due_at > timezone.now() + timedelta(minutes=4)
    assert Incident.objects.get(instance=giving_up, state="open").kind == "failedJob"


def test_a_stale_lease_in_a_batch_leaves_the_others_reported(journal):
    deploy_service_process("doubling", "test-double")
    instances = [
        start_instance(definition_key="doubling", variables={"amount": n}, now=T0)
        for n in (1, 2, 3)
    ]
    leased = claim_jobs_to_run(job_ids=first_jobs(*instances), worker_id="slow")
    assert len(leased) == 3
    taken = leased[0][0]
    # the first job's lease expires and another worker runs it meanwhile
    Job.objects.filter(pk=taken.job_id).update(lock_expires_at=T0)
    assert release_expired_locks(now=timezone.now()) == 1
    Job.objects.filter(pk=taken.job_id).update(due_at=T0)
    assert execute_job(job_id=taken.job_id, worker_id="fast") == "completed"
    stale, following = report_batch(
        reports=[(lease, Completed({"amount": 100 + n})) for n, (lease, _) in enumerate(leased)],
        worker_id="slow",
        budget=None,
    )
    assert stale == {taken.job_id}
    assert following == []
    assert [i.variable_rows.get(name="amount").value for i in instances] == [2, 101, 102]
    assert all(completed(instance) for instance in instances)


def test_one_report_the_batch_cannot_take_is_set_apart_and_the_others_are_reported(
    journal, settings
):
    deploy_service_process("doubling", "test-double")
    small, large, other = (
        start_instance(definition_key="doubling", variables={"amount": 1, "note": note})
        for note in ("", "x" * 3000, "")
    )
    # the large instance's state no longer fits once its job reports: that report fails
    settings.PROCESSION_MAX_STATE_BYTES = 2500
    outcome = execute_jobs(job_ids=first_jobs(small, large, other), worker_id="w1")
    assert outcome == "completed,unreported,completed"
    assert completed(small) and completed(other)
    assert not completed(large)
    assert Job.objects.get(instance=large).state == "locked"  # left to expire
    for instance in (small, large, other):
        assert verify(instance_id=instance.pk).breaks == []


def test_a_duplicate_batch_message_finds_nothing_to_do(journal):
    deploy_service_process("doubling", "test-double")
    instances = [start_instance(definition_key="doubling") for _ in range(2)]
    jobs = first_jobs(*instances)
    assert execute_jobs(job_ids=jobs, worker_id="w1") == "completed,completed"
    assert execute_jobs(job_ids=jobs, worker_id="w2") == "skipped"
    assert len(attempts_of(journal, "test-double")) == 2


def test_a_batch_leases_each_job_with_its_own_audit_event(journal):
    deploy_service_process("doubling", "test-double")
    instances = [start_instance(definition_key="doubling") for _ in range(3)]
    leased = claim_jobs_to_run(job_ids=first_jobs(*instances), worker_id="w1", hard_limit=60)
    assert [lease.job_id for lease, _ in leased] == sorted(first_jobs(*instances))
    for (lease, job), instance in zip(leased, instances, strict=True):
        assert (job.state, job.attempts, job.lock_owner) == ("locked", 1, "w1#1")
        assert lease.lock_owner == "w1#1"
        assert job.instance.pk == instance.pk
        [event] = AuditEvent.objects.filter(instance_id=instance.pk, event_type="job.locked")
        assert json.loads(event.data) == {"job_id": job.pk, "attempt": 1, "lock_owner": "w1#1"}
        assert verify(instance_id=instance.pk).breaks == []


def test_a_batch_skips_jobs_not_ours_and_leases_the_others():
    deploy_service_process("doubling", "test-double")
    due, suspended, later = (start_instance(definition_key="doubling") for _ in range(3))
    ProcessInstance.objects.filter(pk=suspended.pk).update(suspended=True)
    Job.objects.filter(instance=later).update(due_at=timezone.now() + timedelta(hours=1))
    leased = claim_jobs_to_run(job_ids=first_jobs(due, suspended, later), worker_id="w1")
    assert [job.instance_id for _, job in leased] == [due.pk]
    assert set(Job.objects.exclude(instance=due).values_list("state", "attempts")) == {
        ("pending", 0)
    }


def test_a_job_the_messages_time_no_longer_covers_is_released_and_dispatched_again(
    journal, django_capture_on_commit_callbacks
):
    deploy_service_process("doubling", "test-double")
    instances = [start_instance(definition_key="doubling") for _ in range(2)]
    jobs = first_jobs(*instances)
    _, hard = message_limits_for("test-double")
    budget = MessageBudget.starting_now(hard)
    with django_capture_on_commit_callbacks(execute=False) as doorbells:
        # the message's time is spent once the first handler has run
        outcome = execute_jobs(
            job_ids=jobs, worker_id="w1", budget=SpentAfterFirst(budget.hard_deadline)
        )
    assert outcome == "completed,released"
    assert len(doorbells) == 1
    released = Job.objects.get(pk=jobs[1])
    assert (released.state, released.attempts, released.lock_owner) == ("pending", 1, "")
    assert len(attempts_of(journal, "test-double")) == 1


class SpentAfterFirst(MessageBudget):
    """A message budget that covers one job, then nothing."""

    def lease_seconds_for(self, job_type: str) -> float | None:
        spent = getattr(self, "_spent", False)
        object.__setattr__(self, "_spent", True)
        return None if spent else super().lease_seconds_for(job_type)


def test_a_worker_killed_mid_batch_leaves_leases_that_expire_and_each_job_runs_once(journal):
    deploy_service_process("doubling", "test-double", "test-increment")
    instances = [
        start_instance(definition_key="doubling", variables={"amount": n}) for n in (1, 2, 3)
    ]
    leased = claim_jobs_to_run(job_ids=first_jobs(*instances), worker_id="doomed", hard_limit=60)
    assert len(leased) == 3  # the worker dies here, before any handler ran
    assert execute_jobs(job_ids=first_jobs(*instances), worker_id="late") == "skipped"
    later = timezone.now() + timedelta(hours=1)
    assert release_expired_locks(now=later) == 3
    assert dispatch_due_jobs(now=later + timedelta(hours=1)) == 3
    Job.objects.update(due_at=T0)  # their retries fall due
    outcome = execute_jobs(job_ids=first_jobs(*instances), worker_id="w2")
    assert outcome == ",".join(["completed"] * 3)
    for job_id in Job.objects.filter(node_id="S1").values_list("pk", flat=True):
        assert execute_job(job_id=job_id, worker_id="w2") == "completed"
    for n, instance in zip((1, 2, 3), instances, strict=True):
        assert completed(instance)
        assert instance.variable_rows.get(name="amount").value == 2 * n
        assert instance.variable_rows.get(name="steps").value == 1
        assert instance.activity_history.filter(node_id="S0").count() == 1
    assert len(attempts_of(journal, "test-double")) == 3
    assert set(Job.objects.filter(node_id="S0").values_list("attempts", flat=True)) == {2}


# ---------------------------------------------------------------------------- claiming ahead


def test_a_message_takes_along_due_jobs_waiting_for_a_worker(journal):
    deploy_service_process("doubling", "test-double", "test-increment")
    instances = [
        start_instance(definition_key="doubling", variables={"amount": n}) for n in range(3)
    ]
    named, *waiting = first_jobs(*instances)
    outcome = execute_jobs(
        job_ids=[named],
        worker_id="w1",
        budget=a_whole_message(1),
        ahead=7,
        ahead_types=job_types_sent_with(*message_limits_for("test-double")),
    )
    assert outcome == ",".join(["completed"] * 6)
    assert all(completed(instance) for instance in instances)
    # their own messages come later and find nothing to do
    assert [execute_job(job_id=pk, worker_id="w2") for pk in waiting] == ["skipped"] * 2
    assert len(attempts_of(journal, "test-double")) == 3
    assert len(attempts_of(journal, "test-increment")) == 3


def test_claiming_ahead_takes_only_the_types_given_and_at_most_as_many_as_asked():
    deploy_service_process("doubling", "test-double")
    deploy_service_process("sleepy", "test-sleepy")
    doubling = [start_instance(definition_key="doubling") for _ in range(4)]
    sleepy = start_instance(definition_key="sleepy")
    named = first_jobs(*doubling)[0]
    leased = claim_jobs_to_run(
        job_ids=[named], worker_id="w1", ahead=2, ahead_types=["test-double"]
    )
    assert [lease.job_id for lease, _ in leased] == first_jobs(*doubling)[:3]
    assert Job.objects.get(instance=sleepy).state == "pending"
    assert Job.objects.filter(state="pending", job_type="test-double").count() == 1


def test_claiming_ahead_passes_over_jobs_not_due_suspended_or_held():
    deploy_service_process("doubling", "test-double")
    named, later, suspended, held = (start_instance(definition_key="doubling") for _ in range(4))
    Job.objects.filter(instance=later).update(due_at=timezone.now() + timedelta(hours=1))
    ProcessInstance.objects.filter(pk=suspended.pk).update(suspended=True)
    assert claim_jobs_to_run(job_ids=first_jobs(held), worker_id="other")
    leased = claim_jobs_to_run(
        job_ids=first_jobs(named), worker_id="w1", ahead=7, ahead_types=["test-double"]
    )
    assert [job.instance_id for _, job in leased] == [named.pk]


def test_the_job_types_a_message_takes_along_are_those_sent_with_its_limits():
    soft, hard = message_limits_for("test-double")
    types = job_types_sent_with(soft, hard)
    assert {"test-double", "test-increment"} <= set(types)
    assert "test-sleepy" not in types  # a one-second limit of its own
    assert job_types_sent_with(soft + 1, hard) == []


SPLIT = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:error id="Err" errorCode="CARD_DECLINED"/>
  <bpmn:process id="split" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:subProcess id="Sub">
      <bpmn:startEvent id="SubStart"/>
      <bpmn:parallelGateway id="Fork"/>
      <bpmn:serviceTask id="Declines" camunda:type="external" camunda:topic="test-decline"/>
      <bpmn:serviceTask id="Fails" camunda:type="external" camunda:topic="test-broken"/>
      <bpmn:parallelGateway id="Join"/>
      <bpmn:endEvent id="SubEnd"/>
      <bpmn:sequenceFlow id="s1" sourceRef="SubStart" targetRef="Fork"/>
      <bpmn:sequenceFlow id="s2" sourceRef="Fork" targetRef="Declines"/>
      <bpmn:sequenceFlow id="s3" sourceRef="Fork" targetRef="Fails"/>
      <bpmn:sequenceFlow id="s4" sourceRef="Declines" targetRef="Join"/>
      <bpmn:sequenceFlow id="s5" sourceRef="Fails" targetRef="Join"/>
      <bpmn:sequenceFlow id="s6" sourceRef="Join" targetRef="SubEnd"/>
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="Caught" attachedToRef="Sub">
      <bpmn:errorEventDefinition errorRef="Err"/>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="Handled"/>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sub"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="End"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Caught" targetRef="Handled"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("declined_first", [True, False])
def test_a_job_ended_by_an_earlier_report_of_its_batch_is_not_brought_back(journal, declined_first):
    deploy_definition(name="split", resources={"split.bpmn": SPLIT})
    instance = start_instance(definition_key="split")
    declines = Job.objects.get(instance=instance, node_id="Declines")
    fails = Job.objects.get(instance=instance, node_id="Fails")
    leased = {
        lease.job_id: lease
        for lease, _ in claim_jobs_to_run(job_ids=[declines.pk, fails.pk], worker_id="w1")
    }
    reports = [
        (leased[declines.pk], ErrorThrown("CARD_DECLINED", "card declined")),
        (leased[fails.pk], Failed("payment service unreachable")),
    ]
    if not declined_first:
        reports.reverse()
    # the report applies them in job id order whatever the order given
    report_batch(reports=reports, worker_id="w1", budget=None)
    assert completed(instance)
    assert instance.activity_history.filter(node_id="Handled").count() == 1
    assert not Job.objects.filter(instance=instance, state__in=["pending", "locked"]).exists()
    assert verify(instance_id=instance.pk).breaks == []


# ---------------------------------------------------------------------------- slow handlers


@pytest.fixture
def timings():
    handler_timing.forget()
    yield handler_timing
    handler_timing.forget()


def run_job_message(job_id: int, job_type: str) -> str:
    """``run_job`` as a worker runs it, with the limits its message carries."""
    soft, hard = message_limits_for(job_type)
    run_job.push_request(timelimit=(hard, soft), hostname="w1")
    try:
        return run_job.run(job_id)
    finally:
        run_job.pop_request()


def test_a_message_takes_along_only_jobs_whose_handlers_have_been_quick_in_this_worker(
    journal, timings, settings
):
    settings.PROCESSION_JOB_CLAIM_AHEAD_MAX_SECONDS = 0.05
    settings.PROCESSION_JOB_CLAIM_AHEAD = 1
    deploy_service_process("doubling", "test-double")
    first, second, third, fourth, fifth = first_jobs(
        *[start_instance(definition_key="doubling") for _ in range(5)]
    )
    # not run here yet: its message runs it alone, and measures it
    assert run_job_message(first, "test-double") == "completed"
    assert timings.average_seconds("test-double") is not None
    assert run_job_message(second, "test-double") == "completed,completed"  # third along
    assert Job.objects.get(pk=third).state == "completed"
    for _ in range(20):
        timings.observe("test-double", 1.0)  # its handlers became slow
    assert run_job_message(fourth, "test-double") == "completed"
    assert Job.objects.get(pk=fifth).state == "pending"


def test_the_moving_average_of_a_handler_follows_it_when_it_becomes_slow(timings):
    assert timings.quick_types(["t"], 0.05) == []  # not run here yet
    for _ in range(5):
        timings.observe("t", 0.001)
    assert timings.quick_types(["t", "other"], 0.05) == ["t"]
    timings.observe("t", 1.0)
    assert timings.quick_types(["t"], 0.05) == []  # one slow run in five weighs enough
    for _ in range(30):
        timings.observe("t", 0.001)
    assert timings.quick_types(["t"], 0.05) == ["t"]


def test_jobs_a_batch_has_not_started_when_its_slice_is_spent_go_out_one_per_message(
    journal, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PROCESSION_JOB_BATCH_SLICE_SECONDS = 0  # every handler outlasts the slice
    deploy_service_process("doubling", "test-double")
    jobs = first_jobs(*[start_instance(definition_key="doubling") for _ in range(3)])
    with django_capture_on_commit_callbacks(execute=False) as doorbells:
        outcome = execute_jobs(job_ids=jobs, worker_id="w1", budget=a_whole_message(3))
    assert outcome == "completed,released,released"
    assert len(attempts_of(journal, "test-double")) == 1
    submitted: list[tuple[Any, ...]] = []
    monkeypatch.setattr(dispatch.publisher, "submit", lambda *doorbell: submitted.append(doorbell))
    for ring in doorbells:
        ring()
    assert submitted == [(jobs[1], "test-double", True), (jobs[2], "test-double", True)]
    assert set(Job.objects.filter(pk__in=jobs[1:]).values_list("state", flat=True)) == {"pending"}


def test_a_doorbell_to_go_alone_is_sent_in_a_message_of_its_own(sent, settings):
    settings.PROCESSION_JOB_BATCH_SIZE = 8
    publisher = waiting_publisher((1, "test-double", True), (2, "test-double"), (3, "test-double"))
    publisher.publish_waiting()
    assert [(name, args) for name, args, _, _ in sent.sent] == [
        ("procession.run_job", (1,)),
        ("procession.run_jobs", ([2, 3],)),
    ]
    assert publisher._queue.unfinished_tasks == 0
