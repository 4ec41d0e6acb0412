"""Every engine action leaves its audit event, with the right actor and data, in the
same transaction as the change."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from bpmn_engine.audit import record
from bpmn_engine.models import AuditEvent, Job, ProcessDefinition
from bpmn_engine.services import (
    assign_user_task,
    cancel_instance,
    claim_user_task,
    comment_on_user_task,
    complete_job,
    complete_user_task,
    delegate_user_task,
    resolve_user_task,
    resume_instance,
    set_variables,
    start_instance,
    suspend_instance,
    unclaim_user_task,
)
from tests.audit.conftest import data, of_type, trail
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval(users):
    deploy("user_task/approval.bpmn")
    return start_instance(
        definition_key="approval",
        business_key="ORDER-1",
        variables={"amount": 120, "dueDate": "2026-03-04T09:00:00+00:00"},
        user=users["sally"],
        now=T0,
    )


def test_deployment_is_recorded_per_definition_with_resource_checksums(users):
    result = deploy("user_task/approval.bpmn")
    (event,) = trail(event_type="deployment.created")
    definition = ProcessDefinition.objects.get(key="approval")
    assert event.definition_id == definition.pk
    assert event.stream == "system" and event.actor_kind == "system"
    assert data(event)["resources"]["approval.bpmn"] == result.definitions[0].checksum
    assert data(event)["version"] == 1


def test_start_records_the_starting_user_the_variables_and_every_activity(approval, users):
    events = trail(approval.pk)
    assert events[0].event_type == "instance.started"
    assert (events[0].actor_kind, events[0].actor_id) == ("user", "sally")
    assert data(events[0])["variables"]["amount"] == 120
    started = [e.element_id for e in of_type(events, "activity.started")]
    completed = [e.element_id for e in of_type(events, "activity.completed")]
    assert started == ["Review"]  # the start event passed: its completion says so
    assert completed == ["Requested"]
    assert data(of_type(events, "activity.completed")[0])["passed"] is True
    created = {data(e)["name"]: data(e) for e in of_type(events, "variable.created")}
    assert created["amount"] == {"scope": "root", "name": "amount", "new": 120}
    (task,) = of_type(events, "task.created")
    assert task.element_id == "Review"
    assert data(task)["candidate_groups"] == ["sales"]
    assert {e.definition_id for e in events} == {approval.definition_id}


def test_claim_unclaim_and_completion_record_who_and_the_submitted_values(approval, users):
    task = approval.user_tasks.get()
    claim_user_task(task_id=task.pk, user=users["sally"])
    unclaim_user_task(task_id=task.pk, user=users["sally"])
    claim_user_task(task_id=task.pk, user=users["sam"])
    complete_user_task(
        task_id=task.pk, user=users["sam"], variables={"approved": True, "comment": "ok"}
    )
    events = trail(approval.pk)
    claims = of_type(events, "task.claimed")
    assert [(e.actor_id, data(e)["assignee"]) for e in claims] == [
        ("sally", "sally"),
        ("sam", "sam"),
    ]
    (unclaim,) = of_type(events, "task.unclaimed")
    assert (unclaim.actor_id, data(unclaim)["previous_assignee"]) == ("sally", "sally")
    (done,) = of_type(events, "task.completed")
    assert (done.actor_kind, done.actor_id, done.element_id) == ("user", "sam", "Review")
    assert data(done)["values"] == {"approved": True, "comment": "ok"}
    assert data(done)["completed_by"] == "sam"


def test_variable_change_records_old_and_new_value(approval, users):
    set_variables(instance_id=approval.pk, variables={"amount": 90}, user=users["frank"])
    (changed,) = of_type(trail(approval.pk), "variable.updated")
    assert data(changed) == {"scope": "root", "name": "amount", "old": 120, "new": 90}
    assert changed.actor_id == "frank"


def test_job_and_instance_end_are_recorded(approval, users):
    task = approval.user_tasks.get()
    claim_user_task(task_id=task.pk, user=users["sally"])
    complete_user_task(task_id=task.pk, user=users["sally"], variables={"approved": True})
    job = Job.objects.get(instance=approval)
    complete_job(job_id=job.pk, variables={"notified": True})
    events = trail(approval.pk)
    (created,) = of_type(events, "job.created")
    assert data(created)["job_type"] == "notify-customer"
    (completed,) = of_type(events, "job.completed")
    assert completed.element_id == "Notify"
    assert data(completed)["variables"] == {"notified": True}
    assert events[-1].event_type == "instance.completed"
    assert events[-1].actor_kind == "system"


def test_cancel_records_the_reason_and_the_cancelled_task(approval, users):
    cancel_instance(instance_id=approval.pk, reason="customer withdrew", user=users["frank"])
    events = trail(approval.pk)
    (cancelled,) = of_type(events, "instance.cancelled")
    assert data(cancelled)["reason"] == "customer withdrew"
    assert cancelled.actor_id == "frank"
    assert of_type(events, "task.cancelled")
    assert [e.element_id for e in of_type(events, "activity.cancelled")] == ["Review"]


def test_events_of_an_instance_form_one_gapless_chain(approval, users):
    set_variables(instance_id=approval.pk, variables={"amount": 1})
    events = trail(approval.pk)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
    assert {e.stream for e in events} == {f"instance:{approval.pk}"}


def test_a_rolled_back_command_leaves_no_event(approval):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record("instance.suspended", instance_id=approval.pk)
        raise RuntimeError("the command failed")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_write_outside_a_transaction():
    with pytest.raises(RuntimeError):
        record("instance.suspended", instance_id=1)
    assert not AuditEvent.objects.exists()


def test_suspend_and_resume_are_recorded_with_the_user(approval, users):
    suspend_instance(instance_id=approval.pk, user=users["frank"])
    resume_instance(instance_id=approval.pk, user=users["sally"])
    events = trail(approval.pk)
    (suspended,) = of_type(events, "instance.suspended")
    (resumed,) = of_type(events, "instance.resumed")
    assert (suspended.actor_id, resumed.actor_id) == ("frank", "sally")
    assert suspended.seq < resumed.seq


def test_assignment_records_who_assigned_whom_and_the_previous_assignee(approval, users):
    task = approval.user_tasks.get()
    claim_user_task(task_id=task.pk, user=users["sally"])
    admin = User.objects.create_superuser("boss", password="procession")
    assign_user_task(task_id=task.pk, user=admin, assignee="sam")
    (assigned,) = of_type(trail(approval.pk), "task.assigned")
    assert assigned.actor_id == "boss"
    assert data(assigned)["assignee"] == "sam"
    assert data(assigned)["previous_assignee"] == "sally"


def test_delegation_resolution_and_comments_record_who_whom_and_what(approval, users):
    task = approval.user_tasks.get()
    claim_user_task(task_id=task.pk, user=users["sally"])
    admin = User.objects.create_superuser("boss", password="procession")
    delegate_user_task(task_id=task.pk, user=admin, delegate_to="sam")
    resolve_user_task(task_id=task.pk, user=users["sam"])
    comment_on_user_task(task_id=task.pk, user=users["sally"], text="  checked the invoice ")
    events = trail(approval.pk)
    (delegated,) = of_type(events, "task.delegated")
    assert (delegated.actor_id, delegated.element_id) == ("boss", task.node_id)
    assert (data(delegated)["owner"], data(delegated)["assignee"]) == ("sally", "sam")
    (resolved,) = of_type(events, "task.resolved")
    assert (resolved.actor_id, data(resolved)["assignee"]) == ("sam", "sally")
    (commented,) = of_type(events, "task.commented")
    assert commented.actor_id == "sally"
    assert data(commented)["text"] == "checked the invoice"
