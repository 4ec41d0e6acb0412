"""User tasks through the service layer: create, claim, complete, and the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_engine.errors import TaskAlreadyClaimedError, TaskNotAssignedError, TaskNotOpenError
from bpmn_engine.models import ActivityHistory, Job, UserTask
from bpmn_engine.services import (
    cancel_instance,
    claim_user_task,
    complete_job,
    complete_user_task,
    start_instance,
    unclaim_user_task,
)
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval(users):
    deploy("user_task/approval.bpmn")
    return start_instance(
        definition_key="approval",
        business_key="ORDER-1",
        now=T0,
    )


def test_the_demo_approval_starts_without_variables_and_its_review_is_due_in_two_days(approval):
    task = approval.user_tasks.get()
    assert task.name == "Review discount"
    assert task.priority == 70
    assert task.due_at == T0 + timedelta(days=2)
    assert list(task.candidates.values_list("kind", "identity")) == [("group", "sales")]
    assert [f["id"] for f in task.form_fields] == ["approved", "comment"]
    assert approval.business_key == "ORDER-1"


def test_approved_review_creates_the_notify_job_and_the_job_ends_the_instance(approval, users):
    task = approval.user_tasks.get()
    claim_user_task(task_id=task.pk, user=users["sally"])
    complete_user_task(task_id=task.pk, user=users["sally"], variables={"approved": True})
    job = Job.objects.get(instance=approval)
    assert (job.job_type, job.external, job.state) == ("notify-customer", True, "pending")
    complete_job(job_id=job.pk, variables={"notified": True})
    approval.refresh_from_db()
    assert approval.status == "completed"
    assert approval.ended_at is not None
    nodes = list(ActivityHistory.objects.filter(instance=approval).values_list("node_id", "state"))
    assert ("Review", "completed") in nodes and ("Approved", "completed") in nodes
    assert approval.variable_rows.get(name="notified").value is True


def test_rejected_review_ends_at_the_default_flow(approval, users):
    task = approval.user_tasks.get()
    claim_user_task(task_id=task.pk, user=users["sally"])
    complete_user_task(task_id=task.pk, user=users["sally"], variables={"approved": False})
    approval.refresh_from_db()
    assert approval.status == "completed"
    assert not Job.objects.exists()
    assert ActivityHistory.objects.filter(instance=approval, node_id="Rejected").exists()
    assert task.__class__.objects.get(pk=task.pk).completed_by == "sally"


def test_completing_an_unclaimed_task_is_refused_and_changes_nothing(approval, users):
    task = approval.user_tasks.get()
    version = approval.version
    with pytest.raises(TaskNotAssignedError):
        complete_user_task(task_id=task.pk, user=users["sally"], variables={"approved": True})
    approval.refresh_from_db()
    assert approval.version == version
    assert UserTask.objects.get(pk=task.pk).state == "open"


def test_a_task_claimed_by_one_user_cannot_be_claimed_by_another(approval, users):
    task = approval.user_tasks.get()
    claim_user_task(task_id=task.pk, user=users["sally"])
    with pytest.raises(TaskAlreadyClaimedError):
        claim_user_task(task_id=task.pk, user=users["sam"])
    unclaim_user_task(task_id=task.pk, user=users["sally"])
    assert claim_user_task(task_id=task.pk, user=users["sam"]).assignee == "sam"


def test_a_completed_task_cannot_be_completed_twice(approval, users):
    task = approval.user_tasks.get()
    claim_user_task(task_id=task.pk, user=users["sally"])
    complete_user_task(task_id=task.pk, user=users["sally"], variables={"approved": False})
    with pytest.raises(TaskNotOpenError):
        complete_user_task(task_id=task.pk, user=users["sally"], variables={"approved": True})


def test_cancelling_an_instance_withdraws_its_user_tasks(approval):
    cancel_instance(instance_id=approval.pk, reason="customer withdrew")
    approval.refresh_from_db()
    assert approval.status == "cancelled"
    assert approval.user_tasks.get().state == "cancelled"
    assert not approval.tokens.exists()


def test_a_task_command_reads_the_task_and_its_access_in_the_instance_locks_round_trip(
    approval, users
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("round trips are PostgreSQL's (pipeline mode)")
    task = approval.user_tasks.get()
    in_pipeline: list[bool] = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("SELECT") and '"bpmn_engine_usertask"."wait_id"' in sql:
            in_pipeline.append(connection.connection._pipeline is not None)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        claim_user_task(task_id=task.pk, user=users["sally"])
    assert in_pipeline == [True]
