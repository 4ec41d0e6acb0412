"""Operator commands: moving a token, suspending and resuming an instance."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

import tests.jobs.handlers  # noqa: F401 - registers test-double in this process
from bpmn_engine.errors import InstanceModificationError, InstanceStateError, InstanceSuspendedError
from bpmn_engine.models import ActivityHistory, Job, UserTask
from bpmn_engine.services import (
    deploy_definition,
    move_token,
    resume_instance,
    start_instance,
    suspend_instance,
)
from bpmn_engine.services.job_runner import execute_job
from bpmn_engine.services.user_tasks import claim_user_task, complete_user_task

pytestmark = pytest.mark.django_db

ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:userTask id="Review"/>
    <bpmn:serviceTask id="Charge" camunda:type="external" camunda:topic="test-double"/>
    <bpmn:userTask id="Ship"/>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Charge"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Charge" targetRef="Ship"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Ship" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def operator(db):
    deploy_definition(name="order", resources={"order.bpmn": ORDER})
    # An administrator: the permission policy lets admins work on every task.
    return User.objects.create_superuser("dev", "dev@example.com", "x")


def _open_tasks(instance) -> list[str]:
    return list(
        UserTask.objects.filter(instance=instance, state="open").values_list("node_id", flat=True)
    )


def test_moving_a_token_cancels_the_task_at_the_source_and_opens_one_at_the_target(operator):
    instance = start_instance(definition_key="order")
    move_token(instance_id=instance.pk, from_node_id="Review", to_node_id="Ship", user=operator)
    assert _open_tasks(instance) == ["Ship"]
    assert UserTask.objects.get(instance=instance, node_id="Review").state == "cancelled"
    states = dict(ActivityHistory.objects.filter(instance=instance).values_list("node_id", "state"))
    assert states["Review"] == "cancelled" and states["Ship"] == "active"


def test_moving_a_token_back_before_a_service_task_creates_its_job_again(operator):
    instance = start_instance(definition_key="order")
    move_token(instance_id=instance.pk, from_node_id="Review", to_node_id="Charge")
    job = Job.objects.get(instance=instance, node_id="Charge")
    assert execute_job(job_id=job.pk, worker_id="w") == "completed"
    assert _open_tasks(instance) == ["Ship"]


def test_a_move_from_an_element_without_a_token_is_refused_and_changes_nothing(operator):
    instance = start_instance(definition_key="order")
    with pytest.raises(InstanceModificationError, match="no token is there"):
        move_token(instance_id=instance.pk, from_node_id="Ship", to_node_id="End")
    assert _open_tasks(instance) == ["Review"]


def test_a_suspended_instance_holds_its_jobs_and_tasks_until_resumed(operator):
    instance = start_instance(definition_key="order")
    move_token(instance_id=instance.pk, from_node_id="Review", to_node_id="Charge")
    suspend_instance(instance_id=instance.pk, user=operator)
    job = Job.objects.get(instance=instance, node_id="Charge")
    assert execute_job(job_id=job.pk, worker_id="w") == "skipped"
    resume_instance(instance_id=instance.pk, user=operator)
    assert execute_job(job_id=job.pk, worker_id="w") == "completed"
    task = UserTask.objects.get(instance=instance, node_id="Ship")
    claim_user_task(task_id=task.pk, user=operator)
    suspend_instance(instance_id=instance.pk, user=operator)
    with pytest.raises(InstanceSuspendedError):
        complete_user_task(task_id=task.pk, user=operator)
    resume_instance(instance_id=instance.pk, user=operator)
    complete_user_task(task_id=task.pk, user=operator)
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_an_ended_instance_cannot_be_suspended(operator):
    from bpmn_engine.services import cancel_instance

    instance = start_instance(definition_key="order")
    cancel_instance(instance_id=instance.pk)
    with pytest.raises(InstanceStateError, match="but it is cancelled"):
        suspend_instance(instance_id=instance.pk)


def test_operator_actions_are_audited_with_their_reason(operator):
    from bpmn_engine.models.audit import AuditEvent
    from bpmn_engine.services import change_variables

    instance = start_instance(definition_key="order")
    move_token(
        instance_id=instance.pk,
        from_node_id="Review",
        to_node_id="Ship",
        reason="customer called",
        user=operator,
    )
    change_variables(
        instance_id=instance.pk, variables={"amount": 5}, reason="typo fixed", user=operator
    )
    suspend_instance(instance_id=instance.pk, user=operator)
    resume_instance(instance_id=instance.pk, user=operator)
    events = AuditEvent.objects.filter(instance_id=instance.pk, actor_id="dev")
    by_type = {e.event_type: e for e in events}
    assert '"reason":"customer called"' in by_type["instance.modified"].data
    assert '"reason":"typo fixed"' in by_type["variables.corrected"].data
    assert {"activity.cancelled", "instance.suspended", "instance.resumed"} <= set(by_type)


def test_a_variable_change_without_a_reason_is_refused(operator):
    from bpmn_engine.errors import ReasonRequiredError
    from bpmn_engine.services import change_variables

    instance = start_instance(definition_key="order")
    with pytest.raises(ReasonRequiredError):
        change_variables(instance_id=instance.pk, variables={"amount": 5}, reason=" ")
