"""Joins, messages, signals, timers, errors and call activities through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_engine.errors import MessageCorrelationError
from bpmn_engine.models import Job, ProcessInstance, Timer
from bpmn_engine.services import (
    broadcast_signal,
    claim_user_task,
    complete_user_task,
    correlate_message,
    fire_due_timers,
    start_instance,
    throw_job_error,
)
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db


def complete(instance, node_id, user, variables=None, now=None):
    task = instance.user_tasks.get(node_id=node_id, state="open")
    claim_user_task(task_id=task.pk, user=user)
    return complete_user_task(task_id=task.pk, user=user, variables=variables or {}, now=now)


def test_parallel_join_creates_the_next_task_once_after_all_three_reviews(users):
    deploy("parallel_gateway/three_reviews.bpmn")
    instance = start_instance(definition_key="three_reviews")
    assert set(instance.user_tasks.values_list("node_id", flat=True)) == {
        "Legal",
        "Finance",
        "Sales",
    }
    complete(instance, "Legal", users["frank"])
    complete(instance, "Sales", users["sally"])
    assert not instance.user_tasks.filter(node_id="Done").exists()
    complete(instance, "Finance", users["frank"])
    assert instance.user_tasks.filter(node_id="Done").count() == 1
    assert list(instance.tokens.values_list("node_id", flat=True)) == ["Done"]


def test_message_start_event_starts_an_instance_with_the_business_key():
    deploy("message/payment.bpmn")
    [result] = correlate_message(message_name="OrderPlaced", business_key="ORDER-7")
    assert result.kind == "start"
    assert result.instance.business_key == "ORDER-7"
    assert result.instance.subscriptions.get().event_name == "PaymentReceived"


def test_message_correlates_by_business_key_to_the_waiting_instance():
    deploy("message/payment.bpmn")
    correlate_message(message_name="OrderPlaced", business_key="ORDER-7")
    correlate_message(message_name="OrderPlaced", business_key="ORDER-8")
    [result] = correlate_message(
        message_name="PaymentReceived", business_key="ORDER-8", variables={"amount": 12}
    )
    assert result.kind == "execution"
    done = ProcessInstance.objects.get(business_key="ORDER-8")
    waiting = ProcessInstance.objects.get(business_key="ORDER-7")
    assert (done.status, waiting.status) == ("completed", "active")
    assert done.variable_rows.get(name="amount").value == 12


def test_ambiguous_message_is_refused_and_changes_nothing():
    deploy("message/payment.bpmn")
    correlate_message(message_name="OrderPlaced", business_key="A")
    correlate_message(message_name="OrderPlaced", business_key="B")
    with pytest.raises(MessageCorrelationError, match="2 match"):
        correlate_message(message_name="PaymentReceived")
    assert ProcessInstance.objects.filter(status="active").count() == 2


def test_message_without_any_match_is_refused():
    deploy("message/payment.bpmn")
    with pytest.raises(MessageCorrelationError, match="nothing matches"):
        correlate_message(message_name="PaymentReceived", business_key="nope")


def test_signal_reaches_every_waiting_instance():
    deploy("signal/stop_the_line.bpmn")
    instances = [start_instance(definition_key="stop_the_line") for _ in range(3)]
    assert broadcast_signal(signal_name="StopTheLine") == 3
    for instance in instances:
        instance.refresh_from_db()
        assert instance.status == "completed"
    assert broadcast_signal(signal_name="StopTheLine") == 0


def test_interrupting_timer_boundary_fires_when_due_and_replaces_the_task():
    deploy("timer/review_deadline.bpmn")
    instance = start_instance(definition_key="review_deadline", now=T0)
    timer = Timer.objects.get(instance=instance)
    assert timer.due_at == T0 + timedelta(hours=1)
    assert fire_due_timers(now=T0 + timedelta(minutes=59)) == 0
    assert fire_due_timers(now=T0 + timedelta(hours=2)) == 1
    assert instance.user_tasks.get(node_id="Review").state == "cancelled"
    assert instance.user_tasks.get(node_id="Escalate").state == "open"
    assert fire_due_timers(now=T0 + timedelta(hours=3)) == 0


def test_completing_the_task_withdraws_its_boundary_timer(users):
    deploy("timer/review_deadline.bpmn")
    instance = start_instance(definition_key="review_deadline", now=T0)
    complete(instance, "Review", users["sally"], now=T0 + timedelta(minutes=5))
    assert Timer.objects.get(instance=instance).state == "cancelled"
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_bpmn_error_from_a_job_reaches_the_error_boundary():
    deploy("error/charge_card.bpmn")
    instance = start_instance(definition_key="charge_card")
    job = Job.objects.get(instance=instance)
    throw_job_error(job_id=job.pk, error_code="CARD_DECLINED", message="insufficient funds")
    job.refresh_from_db()
    assert job.state == "completed"
    assert instance.user_tasks.get().node_id == "AskCustomer"


def test_call_activity_passes_variables_in_and_out(users):
    deploy("call_activity/order.bpmn", "call_activity/credit_check.bpmn", name="orders")
    order = start_instance(definition_key="order", variables={"amount": 250})
    child = ProcessInstance.objects.get(parent=order)
    assert child.definition.key == "credit_check"
    assert child.variable_rows.get(name="requested").value == 250
    complete(child, "Assess", users["frank"], {"approved": True})
    child.refresh_from_db()
    assert child.status == "completed"
    assert order.variable_rows.get(name="creditApproved").value is True
    assert order.user_tasks.get().node_id == "Ship"


def test_error_end_event_in_the_called_process_reaches_the_call_activity_boundary(users):
    deploy("call_activity/order.bpmn", "call_activity/credit_check.bpmn", name="orders")
    order = start_instance(definition_key="order", variables={"amount": 10_000})
    child = ProcessInstance.objects.get(parent=order)
    complete(child, "Assess", users["frank"], {"approved": False})
    order.refresh_from_db()
    assert order.status == "completed"
    assert order.activity_history.filter(node_id="Refused").exists()
    assert not order.user_tasks.exists()


def test_call_activity_to_an_undeployed_process_raises_an_incident():
    deploy("call_activity/order.bpmn")
    order = start_instance(definition_key="order", variables={"amount": 1})
    incident = order.incident_rows.get()
    assert incident.kind == "called-element"
    assert "credit_check" in incident.message
    assert order.status == "active"


def test_an_error_from_the_called_process_that_nothing_catches_raises_an_incident(users):
    deploy("call_activity/unguarded_order.bpmn", "call_activity/credit_check.bpmn", name="orders")
    order = start_instance(definition_key="unguarded_order", variables={"amount": 10_000})
    child = ProcessInstance.objects.get(parent=order)
    complete(child, "Assess", users["frank"], {"approved": False})
    incident = order.incident_rows.get()
    assert incident.kind == "uncaught-error"
    assert "CREDIT_REFUSED" in incident.message
    order.refresh_from_db()
    assert order.status == "active"
