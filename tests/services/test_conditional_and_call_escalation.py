"""Conditional events and escalations from called processes through the services."""

from __future__ import annotations

import pytest

from bpmn_engine.models import ProcessInstance
from bpmn_engine.services import start_instance
from bpmn_engine.services.instances import set_variables
from tests.services.conftest import deploy
from tests.services.test_gateways_and_events import complete

pytestmark = pytest.mark.django_db


def _open_tasks(instance: ProcessInstance) -> list[str]:
    return sorted(instance.user_tasks.filter(state="open").values_list("node_id", flat=True))


# ----------------------------------------------------------------------- conditional events


def test_conditional_catch_waits_until_the_stock_variable_makes_it_true(users):
    deploy("conditional/order_hold.bpmn")
    order = start_instance(definition_key="order_hold", variables={"stock": 0})
    complete(order, "Prepare", users["sally"])
    assert _open_tasks(order) == []
    set_variables(instance_id=order.pk, variables={"stock": 3})
    assert _open_tasks(order) == ["Ship"]


def test_conditional_catch_passes_at_once_when_stock_is_there(users):
    deploy("conditional/order_hold.bpmn")
    order = start_instance(definition_key="order_hold", variables={"stock": 1})
    complete(order, "Prepare", users["sally"])
    assert _open_tasks(order) == ["Ship"]


def test_conditional_boundary_interrupts_the_task_when_the_order_is_cancelled(users):
    deploy("conditional/order_hold.bpmn")
    order = start_instance(definition_key="order_hold", variables={"stock": 1})
    set_variables(instance_id=order.pk, variables={"cancelled": True})
    order.refresh_from_db()
    assert order.status == "completed"
    assert order.user_tasks.get(node_id="Prepare").state == "cancelled"


def test_non_interrupting_conditional_event_subprocess_notifies_beside_the_order(users):
    deploy("conditional/order_hold.bpmn")
    order = start_instance(definition_key="order_hold", variables={"stock": 1})
    complete(order, "Prepare", users["sally"], {"priority": "high"})
    assert _open_tasks(order) == ["NotifyManager", "Ship"]
    complete(order, "Ship", users["sally"])
    complete(order, "NotifyManager", users["frank"])
    order.refresh_from_db()
    assert order.status == "completed"


# ----------------------------------------------------------------------- call escalation


def _supplier_order(outcome: str, users) -> tuple[ProcessInstance, ProcessInstance]:
    deploy("conditional/supplier_order.bpmn", "conditional/supplier.bpmn", name="suppliers")
    order = start_instance(definition_key="supplier_order", variables={"item": "lamp"})
    child = ProcessInstance.objects.get(parent=order)
    assert child.variable_rows.get(name="item").value == "lamp"
    complete(child, "Source", users["frank"], {"outcome": outcome, "note": outcome})
    order.refresh_from_db()
    child.refresh_from_db()
    return order, child


def test_escalation_from_the_called_process_reaches_a_non_interrupting_boundary(users):
    order, child = _supplier_order("late", users)
    assert _open_tasks(order) == ["InformCustomer"]
    assert order.variable_rows.get(name="supplierNote").value == "late"  # camunda:out
    assert child.status == "active" and _open_tasks(child) == ["Deliver"]
    complete(child, "Deliver", users["frank"])
    assert _open_tasks(order) == ["InformCustomer", "Receive"]


def test_escalation_end_event_in_the_called_process_interrupts_the_call_activity(users):
    order, child = _supplier_order("gone", users)
    assert _open_tasks(order) == ["FindOther"]
    assert order.variable_rows.get(name="reason").value == "GONE"
    assert child.status == "completed"
    assert not order.user_tasks.filter(node_id="Receive").exists()


def test_an_escalation_nothing_catches_is_ignored_and_the_call_completes(users):
    order, child = _supplier_order("lost", users)
    assert child.status == "completed" and order.status == "active"
    assert _open_tasks(order) == ["Receive"]
    assert not order.incident_rows.exists()


def test_interrupting_escalation_boundary_cancels_the_running_called_process(users):
    deploy("conditional/strict_supplier_order.bpmn", "conditional/supplier.bpmn", name="strict")
    order = start_instance(definition_key="strict_supplier_order")
    child = ProcessInstance.objects.get(parent=order)
    assert not child.variable_rows.exists()  # Camunda 7: no camunda:in, nothing passes
    complete(child, "Source", users["frank"], {"outcome": "late"})
    child.refresh_from_db()
    assert child.status == "cancelled"
    assert child.user_tasks.get(node_id="Deliver").state == "cancelled"
    assert _open_tasks(order) == ["FindOther"] and not order.variable_rows.exists()
