"""The task page's form: a generated form and a form-js form rendered on the page,
submitted with server-side validation, refused values shown again with their messages,
and no way around the form through the plain Complete action."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from bpmn_engine.models import UserTask
from bpmn_engine.services import claim_user_task
from bpmn_engine.services.task_forms import submit_start_form, submit_task_form
from tests.tasklist.form_fixtures import deploy_order_intake, people_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_task(people):
    definition = deploy_order_intake()
    instance = submit_start_form(
        definition_id=definition.pk, user=people["sally"], values={"customer": "ACME"}
    )
    task = instance.user_tasks.get()
    claim_user_task(task_id=task.pk, user=people["sally"])
    return task


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(client, task) -> str:
    return client.get(reverse("tasklist:task", args=[task.pk])).content.decode()


def submit(client, task, **values):
    data = {f"f-{k}": v for k, v in values.items()}
    return client.post(reverse("tasklist:submit-form", args=[task.pk]), data)


def test_the_holder_sees_the_generated_form_with_current_values(sales_task, people):
    html = page_of(logged_in(people["sally"]), sales_task)
    assert 'data-form-kind="generated"' in html
    assert 'name="f-amount"' in html and 'value="ACME"' in html
    assert 'id="submit-form-button"' in html and 'id="complete-button"' not in html


def test_a_refused_form_comes_back_with_messages_and_entered_values_then_completes(
    sales_task, people
):
    client = logged_in(people["sally"])
    refused = submit(client, sales_task, customer="ACME", amount="0", region="south")
    assert refused.status_code == 302 and refused["Location"].endswith("#work")
    html = page_of(client, sales_task)
    assert "Amount (EUR): Enter 1 or more." in html and 'value="0"' in html
    assert "The form has errors" in html
    assert "Enter 1 or more." not in page_of(client, sales_task)  # shown once
    done = submit(client, sales_task, customer="ACME", amount="250", region="south")
    assert done.status_code == 302 and done["Location"] == reverse("tasklist:inbox")
    sales_task.refresh_from_db()
    assert sales_task.state == "completed"
    values = dict(sales_task.instance.variable_rows.values_list("name", "value"))
    assert values["amount"] == 250 and values["region"] == "south"


def test_the_plain_complete_action_cannot_skip_a_forms_required_fields(sales_task, people):
    client = logged_in(people["sally"])
    client.post(reverse("tasklist:complete", args=[sales_task.pk]))
    sales_task.refresh_from_db()
    assert sales_task.state == "open"


@pytest.mark.parametrize(("who", "status"), [("frank", 404), ("audrey", 404), ("sam", 302)])
def test_who_does_not_hold_the_task_cannot_submit_its_form(sales_task, people, who, status):
    response = submit(logged_in(people[who]), sales_task, customer="X", amount="5")
    assert response.status_code == status
    sales_task.refresh_from_db()
    assert sales_task.state == "open"


def test_the_finance_task_renders_the_form_js_form_and_takes_its_json(sales_task, people):
    submit_task_form(
        task_id=sales_task.pk, user=people["sally"], values={"customer": "ACME", "amount": 80}
    )
    finance = UserTask.objects.get(node_id="CheckPayment")
    frank = logged_in(people["frank"])
    claim_user_task(task_id=finance.pk, user=people["frank"])
    html = page_of(frank, finance)
    assert 'data-form-kind="form-js"' in html and 'id="form-js-schema"' in html
    assert 'name="f-invoice_number"' in html  # the no-JavaScript fallback
    url = reverse("tasklist:submit-form", args=[finance.pk])
    bad = {"invoice_number": "42", "paid_amount": 80, "payment_method": "card"}
    frank.post(url, {"form_js_values": json.dumps(bad)})
    assert "Enter the invoice number as INV-1234." in page_of(frank, finance)
    good = bad | {"invoice_number": "INV-0042", "customer": "ignored"}
    assert frank.post(url, {"form_js_values": json.dumps(good)}).status_code == 302
    finance.refresh_from_db()
    assert finance.state == "completed"
    assert finance.instance.variable_rows.get(name="customer").value == "ACME"
