"""Forms over the Camunda 7 REST subset: form, form-variables and submit-form for tasks
and start events, validated on the server like the web forms."""

from __future__ import annotations

import pytest

from bpmn_engine.models import ProcessInstance, UserTask
from tests.tasklist.form_fixtures import deploy_order_intake

pytestmark = pytest.mark.django_db
BASE = "/engine-rest"


@pytest.fixture
def intake(users):
    return deploy_order_intake()


def start(client, definition, **variables):
    typed = {k: {"value": v} for k, v in variables.items()}
    return client.post(
        f"{BASE}/process-definition/{definition.pk}/submit-form",
        {"variables": typed, "businessKey": "ORDER-1"},
        format="json",
    )


def test_the_start_form_variables_and_a_validated_start_by_id_and_key(intake, client_for):
    sally = client_for("sally")
    answer = sally.get(f"{BASE}/process-definition/{intake.pk}/form-variables")
    assert answer.status_code == 200 and answer.json() == {}
    refused = start(sally, intake, customer="")
    assert refused.status_code == 400
    assert refused.json()["type"] == "BadUserRequestException"
    assert "customer: This field is required." in refused.json()["message"]
    assert start(sally, intake, customer="ACME").status_code == 200
    by_key = sally.post(
        f"{BASE}/process-definition/key/order_intake/submit-form",
        {"variables": {"customer": {"value": "Bo", "type": "String"}}},
        format="json",
    )
    assert by_key.status_code == 200 and by_key.json()["definitionKey"] == "order_intake"
    assert ProcessInstance.objects.count() == 2


@pytest.mark.parametrize(("who", "status"), [("frank", 404), ("audrey", 403), (None, 403)])
def test_who_may_not_start_cannot_submit_the_start_form(intake, client_for, who, status):
    response = start(client_for(who), intake, customer="ACME")
    assert response.status_code in ((401, 403) if who is None else (status,))
    assert not ProcessInstance.objects.exists()


@pytest.fixture
def sales_task(intake, client_for):
    start(client_for("sally"), intake, customer="ACME")
    return UserTask.objects.get(node_id="EnterOrder")


def test_task_form_and_form_variables_of_a_generated_form(sales_task, client_for):
    sally = client_for("sally")
    form = sally.get(f"{BASE}/task/{sales_task.pk}/form").json()
    assert form == {"key": None, "contextPath": None, "camundaFormRef": None}
    variables = sally.get(f"{BASE}/task/{sales_task.pk}/form-variables").json()
    assert variables["customer"] == {"type": "String", "value": "ACME", "valueInfo": {}}
    assert variables["approved"]["value"] is True and "amount" not in variables


def test_submit_form_validates_then_completes_with_typed_variables(sales_task, client_for):
    sally = client_for("sally")
    url = f"{BASE}/task/{sales_task.pk}/submit-form"
    bad = sally.post(
        url, {"variables": {"amount": {"value": "many"}, "hack": {"value": 1}}}, format="json"
    )
    assert bad.status_code == 400
    assert "amount: Enter a whole number." in bad.json()["message"]
    assert "hack: This field is not part of the form." in bad.json()["message"]
    ok = sally.post(
        url,
        {"variables": {"customer": {"value": "ACME"}, "amount": {"value": 5, "type": "Long"}}},
        format="json",
    )
    assert ok.status_code == 204
    sales_task.refresh_from_db()
    assert sales_task.state == "completed"
    finance = UserTask.objects.get(node_id="CheckPayment")
    form = client_for("frank").get(f"{BASE}/task/{finance.pk}/form").json()
    assert form["camundaFormRef"] == {
        "key": "payment-check",
        "binding": "deployment",
        "version": None,
    }


def test_another_users_task_form_is_not_found(sales_task, client_for):
    frank = client_for("frank")
    for path in ("form", "form-variables"):
        assert frank.get(f"{BASE}/task/{sales_task.pk}/{path}").status_code == 404
    response = frank.post(
        f"{BASE}/task/{sales_task.pk}/submit-form",
        {"variables": {"customer": {"value": "X"}, "amount": {"value": 5}}},
        format="json",
    )
    assert response.status_code == 404
    sales_task.refresh_from_db()
    assert sales_task.state == "open"


@pytest.mark.parametrize(("who", "status"), [("developer", 403), ("audrey", 404), (None, 401)])
def test_wrong_values_from_who_may_not_complete_the_task_are_refused_unread(
    sales_task, client_for, who, status
):
    """A 400 naming the fields would tell them the task's form: permission comes first."""
    response = client_for(who).post(
        f"{BASE}/task/{sales_task.pk}/submit-form",
        {"variables": {"amount": {"value": "many"}}},
        format="json",
    )
    assert response.status_code == status
    assert "amount" not in response.content.decode()
    sales_task.refresh_from_db()
    assert sales_task.state == "open"
