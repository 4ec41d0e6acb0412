"""Messages (incl. correlation by process variables) and signals over /api/v1/."""

from __future__ import annotations

import pytest

from bpmn_engine.models import ProcessInstance
from bpmn_engine.services import start_instance

pytestmark = pytest.mark.django_db


def post(client, body):
    return client.post("/api/v1/messages/", body, format="json")


def test_message_reaches_the_instance_whose_variables_match(client_for, payment):
    a = start_instance(definition_key="payment", variables={"orderId": "A-1", "region": "eu"})
    b = start_instance(definition_key="payment", variables={"orderId": "B-2", "region": "eu"})
    response = post(
        client_for("sally"),
        {"name": "Paid", "correlation_keys": {"orderId": "B-2"}, "variables": {"paid": True}},
    )
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    assert result["kind"] == "execution" and result["process_instance"]["id"] == b.pk
    assert ProcessInstance.objects.get(pk=b.pk).status == "completed"
    assert ProcessInstance.objects.get(pk=a.pk).status == "active"


def test_no_waiting_match_is_404_with_a_reason(client_for, payment):
    start_instance(definition_key="payment", variables={"orderId": "A-1"})
    response = post(client_for("sally"), {"name": "Paid", "correlation_keys": {"orderId": "zzz"}})
    assert response.status_code == 404
    body = response.json()
    assert body["type"] == "urn:procession:problem:message-not-correlated"
    assert "Paid" in body["detail"]


def test_two_waiting_is_409_unless_all(client_for, payment):
    for order_id in ("A", "B"):
        start_instance(definition_key="payment", variables={"region": "eu", "orderId": order_id})
    keys = {"region": "eu"}
    conflict = post(client_for("sally"), {"name": "Paid", "correlation_keys": keys})
    assert conflict.status_code == 409
    assert conflict.json()["type"] == "urn:procession:problem:message-ambiguous"
    both = post(client_for("sally"), {"name": "Paid", "correlation_keys": keys, "all": True})
    assert len(both.json()["results"]) == 2


def test_business_key_and_instance_id_correlation(client_for, payment):
    a = start_instance(definition_key="payment", business_key="BK")
    b = start_instance(definition_key="payment")
    by_key = post(client_for("developer"), {"name": "Paid", "business_key": "BK"})
    assert by_key.json()["results"][0]["process_instance"]["id"] == a.pk
    by_id = post(client_for("developer"), {"name": "Paid", "process_instance": b.pk})
    assert by_id.json()["results"][0]["process_instance"]["id"] == b.pk


def test_auditor_may_not_send_messages_or_signals(client_for, payment):
    assert post(client_for("audrey"), {"name": "Paid"}).status_code == 403
    signal = client_for("audrey").post("/api/v1/signals/", {"name": "x"}, format="json")
    assert signal.status_code == 403


def test_signal_reports_how_many_received_it(client_for, db):
    response = client_for("developer").post(
        "/api/v1/signals/", {"name": "nobody-listens"}, format="json"
    )
    assert response.json() == {"delivered": 0}


def test_malformed_message_is_a_validation_problem(client_for, db):
    response = post(client_for("sally"), {"variables": "nope"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "urn:procession:problem:invalid"
    assert "name" in body["invalid_params"]
