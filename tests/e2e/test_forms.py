"""Forms in a real browser: sally starts an order through the start form, fills the
generated task form with a mistake and corrects it; frank's form-js form renders with the
form-js viewer, checks in the browser and posts its data for the server to check again."""

from __future__ import annotations

import json

import pytest

from bpmn_engine.models import ProcessInstance, UserTask
from bpmn_engine.services import deploy_definition, start_instance
from tests.e2e.conftest import as_user, screenshot
from tests.tasklist.form_fixtures import deploy_order_intake

pytestmark = pytest.mark.django_db(transaction=True)
CHECK = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">
  <process id="check" name="Payment check" isExecutable="true">
    <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <userTask id="t" name="Check the payment" camunda:candidateGroups="finance"
      camunda:formKey="camunda-forms:deployment:check.form"/>
    <sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>
  </process>
</definitions>"""
CHECK_FORM = {
    "id": "check",
    "type": "default",
    "components": [
        {"type": "textfield", "key": "customer", "label": "Customer", "readonly": True},
        {
            "type": "textfield",
            "key": "invoice_number",
            "label": "Invoice number",
            "validate": {"required": True, "pattern": "^INV-[0-9]{4}$"},
        },
        {"type": "number", "key": "paid", "label": "Paid", "validate": {"required": True}},
        {"type": "checkbox", "key": "matched", "label": "Matches"},
    ],
}


def test_sally_starts_an_order_and_corrects_a_refused_generated_form(browser, live_server, people):
    deploy_order_intake()
    sally = as_user(browser, live_server, "sally")
    sally.goto("/start/")
    sally.get_by_role("link", name="Order intake").click()
    sally.fill("#id_business_key", "ORDER-77")
    sally.click("#submit-form-button")
    assert "Customer: This field is required." in sally.locator("#form-errors").inner_text()
    sally.fill("#id_f-customer", "ACME")
    with sally.expect_navigation():
        sally.click("#submit-form-button")
    assert "Started Order intake (ORDER-77)." in sally.locator(".messages").inner_text()
    task = ProcessInstance.objects.get().user_tasks.get()
    sally.goto(f"/tasks/{task.pk}/")
    sally.click("#claim-button")
    sally.fill("#id_f-amount", "0")
    with sally.expect_navigation():
        sally.click("#submit-form-button")
    assert "Amount (EUR): Enter 1 or more." in sally.locator("#form-errors").inner_text()
    assert sally.input_value("#id_f-amount") == "0"
    screenshot(sally, "task-form-errors")
    sally.fill("#id_f-amount", "1200")
    with sally.expect_navigation():
        sally.click("#submit-form-button")
    assert "Task completed." in sally.locator(".messages").inner_text()
    task.refresh_from_db()
    assert task.state == "completed"
    assert task.instance.variable_rows.get(name="amount").value == 1200


def test_frank_fills_a_form_js_form_in_the_viewer(browser, live_server, people):
    deploy_definition(
        name="check",
        resources={"check.bpmn": CHECK, "check.form": json.dumps(CHECK_FORM).encode()},
    )
    task = start_instance(definition_key="check", variables={"customer": "ACME"}).user_tasks.get()
    frank = as_user(browser, live_server, "frank")
    frank.goto(f"/tasks/{task.pk}/")
    frank.click("#claim-button")
    frank.wait_for_selector(".form-js-container .fjs-form")
    assert frank.locator("[data-form-fallback]").is_hidden()
    viewer = frank.locator(".form-js-container")
    assert viewer.get_by_label("Customer").input_value() == "ACME"
    viewer.get_by_label("Invoice number").fill("42")
    viewer.get_by_label("Paid").fill("80")
    frank.click("#submit-form-button")  # the viewer refuses the pattern: nothing is posted
    frank.wait_for_selector(".fjs-form-field-error")
    assert UserTask.objects.get(pk=task.pk).state == "open"
    screenshot(frank, "form-js-task")
    viewer.get_by_label("Invoice number").fill("INV-0042")
    with frank.expect_navigation():
        frank.click("#submit-form-button")
    assert "Task completed." in frank.locator(".messages").inner_text()
    task.refresh_from_db()
    values = dict(task.instance.variable_rows.values_list("name", "value"))
    assert values["invoice_number"] == "INV-0042" and values["paid"] == 80
    assert values["customer"] == "ACME"
