"""Suspending and resuming instances; correlating messages by process variables."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_engine.errors import (
    InstanceStateError,
    InstanceSuspendedError,
    MessageAmbiguousError,
    MessageNotCorrelatedError,
)
from bpmn_engine.models import ProcessInstance, Timer, UserTask
from bpmn_engine.services import (
    cancel_instance,
    claim_due_timers,
    complete_user_task,
    correlate_message,
    resume_instance,
    set_variables,
    start_instance,
    suspend_instance,
)
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db


def paid_orders(*order_ids: str) -> list[ProcessInstance]:
    deploy("message/payment.bpmn")
    return [
        correlate_message(message_name="OrderPlaced", variables={"orderId": oid, "shop": "s1"})[
            0
        ].instance
        for oid in order_ids
    ]


def test_message_goes_to_the_instance_whose_variable_equals_the_key():
    a, b = paid_orders("A-1", "B-2")
    (result,) = correlate_message(
        message_name="PaymentReceived", correlation_keys={"orderId": "B-2"}
    )
    assert result.instance.pk == b.pk and result.kind == "execution"
    assert ProcessInstance.objects.get(pk=b.pk).status == "completed"
    assert ProcessInstance.objects.get(pk=a.pk).status == "active"


def test_every_key_must_match():
    paid_orders("A-1")
    with pytest.raises(MessageNotCorrelatedError):
        correlate_message(
            message_name="PaymentReceived", correlation_keys={"orderId": "A-1", "shop": "s2"}
        )


def test_several_matches_need_correlate_all():
    paid_orders("A-1", "B-2")
    with pytest.raises(MessageAmbiguousError):
        correlate_message(message_name="PaymentReceived", correlation_keys={"shop": "s1"})
    results = correlate_message(
        message_name="PaymentReceived", correlation_keys={"shop": "s1"}, correlate_all=True
    )
    assert len(results) == 2


def test_typed_keys_compare_by_json_value():
    deploy("message/payment.bpmn")
    correlate_message(message_name="OrderPlaced", variables={"orderId": 42})
    with pytest.raises(MessageNotCorrelatedError):
        correlate_message(message_name="PaymentReceived", correlation_keys={"orderId": "42"})
    assert correlate_message(message_name="PaymentReceived", correlation_keys={"orderId": 42})


@pytest.fixture
def approval(users):
    deploy("user_task/approval.bpmn")
    return start_instance(
        definition_key="approval", variables={"dueDate": (T0 + timedelta(days=2)).isoformat()}
    )


def test_suspended_instance_refuses_task_completion_until_resumed(approval, users):
    task = UserTask.objects.get(instance=approval)
    suspend_instance(instance_id=approval.pk)
    with pytest.raises(InstanceSuspendedError):
        complete_user_task(task_id=task.pk, user=users["sally"], claim=True)
    assert UserTask.objects.get(pk=task.pk).state == "open"
    resume_instance(instance_id=approval.pk)
    complete_user_task(
        task_id=task.pk, user=users["sally"], claim=True, variables={"approved": False}
    )
    assert ProcessInstance.objects.get(pk=approval.pk).status == "completed"


def test_suspended_instance_still_takes_variables_and_cancellation(approval):
    suspend_instance(instance_id=approval.pk)
    suspend_instance(instance_id=approval.pk)  # twice is a no-op
    set_variables(instance_id=approval.pk, variables={"note": "held"})
    cancelled = cancel_instance(instance_id=approval.pk)
    assert cancelled.status == "cancelled"
    with pytest.raises(InstanceStateError):
        resume_instance(instance_id=approval.pk)


def test_suspended_instances_receive_no_message_or_signal():
    (order,) = paid_orders("A-1")
    suspend_instance(instance_id=order.pk)
    with pytest.raises(MessageNotCorrelatedError):
        correlate_message(message_name="PaymentReceived", correlation_keys={"orderId": "A-1"})
    resume_instance(instance_id=order.pk)
    assert correlate_message(message_name="PaymentReceived", correlation_keys={"orderId": "A-1"})


def test_timers_of_suspended_instances_are_not_claimed(users):
    deploy("timer/review_deadline.bpmn")
    row = start_instance(definition_key="review_deadline")
    timer = Timer.objects.get(instance=row)
    later = timer.due_at + timedelta(seconds=1)
    suspend_instance(instance_id=row.pk)
    assert timer.pk not in claim_due_timers(now=later)
    resume_instance(instance_id=row.pk)
    assert timer.pk in claim_due_timers(now=later)
