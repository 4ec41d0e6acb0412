"""Spec details through the services: errors from called processes, conditional starts."""

from __future__ import annotations

import pytest

from bpmn_engine.errors import NotFoundError
from bpmn_engine.models import Job, ProcessInstance
from bpmn_engine.services import (
    deploy_definition,
    evaluate_start_conditions,
    start_instance,
    throw_job_error,
)
from tests.services.conftest import FIXTURES, deploy
from tests.services.test_gateways_and_events import complete

pytestmark = pytest.mark.django_db


def _root_variables(instance: ProcessInstance) -> dict:
    rows = instance.variable_rows.filter(scope_id="root")
    return dict(rows.values_list("name", "value"))


def _open_tasks(instance: ProcessInstance) -> list[str]:
    return sorted(instance.user_tasks.filter(state="open").values_list("node_id", flat=True))


# ----------------------------------------------------------------------- errors of called processes


def test_error_from_a_called_process_brings_only_its_own_variables_into_the_parent(users):
    deploy("call_activity/paid_order.bpmn", "call_activity/card_payment.bpmn", name="payments")
    order = start_instance(definition_key="paid_order", variables={"amount": 120})
    payment = ProcessInstance.objects.get(parent=order)
    complete(payment, "AssessRisk", users["frank"], {"riskScore": 7, "cardToken": "tok-1"})
    job = Job.objects.get(instance=payment)
    throw_job_error(
        job_id=job.pk,
        error_code="CARD_DECLINED",
        message="card expired",
        variables={"declineReason": "expired"},
    )
    order.refresh_from_db()
    payment.refresh_from_db()
    assert _open_tasks(order) == ["AskCustomer"]
    assert _root_variables(order) == {
        "amount": 120,
        "declineReason": "expired",
        "failureCode": "CARD_DECLINED",
        "failureMessage": "card expired",
    }
    assert _root_variables(payment)["riskScore"] == 7  # stays in the child


# ----------------------------------------------------------------------- conditional start events


def test_start_conditions_start_one_instance_per_start_event_whose_condition_holds(users):
    deploy("conditional/restock.bpmn")
    started = evaluate_start_conditions(variables={"stock": 0, "item": "lamp"})
    assert sorted(_open_tasks(i)[0] for i in started) == ["Alert", "Reorder"]
    for instance in started:
        assert instance.definition.key == "restock"
        assert _root_variables(instance) == {"stock": 0, "item": "lamp"}


def test_start_conditions_that_do_not_hold_start_nothing(users):
    deploy("conditional/restock.bpmn")
    assert evaluate_start_conditions(variables={"stock": 12}) == []
    assert not ProcessInstance.objects.exists()


def test_start_condition_naming_an_unknown_variable_is_false(users):
    deploy("conditional/restock.bpmn")
    deploy("conditional/big_order.bpmn")
    started = evaluate_start_conditions(variables={"amount": 5000})
    assert [i.definition.key for i in started] == ["big_order"]


def test_start_conditions_of_one_definition_key_only(users):
    deploy("conditional/restock.bpmn")
    deploy("conditional/big_order.bpmn")
    started = evaluate_start_conditions(
        variables={"amount": 5000, "stock": 1}, definition_key="restock"
    )
    assert [_open_tasks(i) for i in started] == [["Reorder"]]


def test_start_conditions_use_the_latest_version_of_a_definition(users):
    deploy("conditional/restock.bpmn")
    source = (FIXTURES / "conditional/restock.bpmn").read_bytes()
    deploy_definition(
        name="restock-v2",
        resources={"restock.bpmn": source.replace(b"${stock &lt; 5}", b"${stock &lt; 2}")},
    )
    assert evaluate_start_conditions(variables={"stock": 3}) == []
    (started,) = evaluate_start_conditions(variables={"stock": 1})
    assert started.definition.version == 2


def test_start_conditions_without_any_conditional_start_event_raise(users):
    deploy("call_activity/credit_check.bpmn")
    with pytest.raises(NotFoundError):
        evaluate_start_conditions(variables={"stock": 0})
