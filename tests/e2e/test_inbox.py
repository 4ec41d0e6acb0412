"""The task inbox in a real browser: a sales user claims and completes a task, the next
one reaches finance, and nobody outside sales learns that the sales task exists."""

from __future__ import annotations

import pytest

from bpmn_engine.models import UserTask
from bpmn_engine.models.work import UserTaskState
from bpmn_engine.services import (
    claim_user_task,
    complete_user_task,
    deploy_definition,
    start_instance,
)
from tests.e2e.conftest import as_user, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

QUOTE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="quote" name="Quote" isExecutable="true" camunda:candidateStarterGroups="sales">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Prepare"/>
    <bpmn:userTask id="Prepare" name="Prepare quote" camunda:candidateGroups="sales"
      camunda:priority="70" camunda:dueDate="P2D"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Prepare" targetRef="Invoice"/>
    <bpmn:userTask id="Invoice" name="Send invoice" camunda:candidateGroups="finance"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Invoice" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_sally_claims_and_completes_a_sales_task_and_finance_gets_the_next(
    browser, live_server, people
):
    deploy_definition(name="quote", resources={"quote.bpmn": QUOTE})
    instance = start_instance(
        definition_key="quote",
        business_key="Q-17",
        variables={"customer": "ACME <b>Ltd</b>"},
        user=people["sally"],
    )
    task = instance.user_tasks.get()
    # a second quote already waits in finance: sally's inbox must not list it
    earlier = start_instance(definition_key="quote", business_key="Q-16", user=people["sally"])
    prepared = earlier.user_tasks.get()
    claim_user_task(task_id=prepared.pk, user=people["sally"])
    complete_user_task(task_id=prepared.pk, user=people["sally"])
    finance_task = UserTask.objects.get(node_id="Invoice", state=UserTaskState.OPEN)
    sally = as_user(browser, live_server, "sally")

    sally.goto("/")
    rows = sally.locator("table.tasks tbody tr[data-task]")
    assert [rows.nth(i).get_attribute("data-task") for i in range(rows.count())] == [str(task.pk)]
    assert "Send invoice" not in sally.locator("#inbox-list").inner_text()
    screenshot(sally, "inbox")
    sally.set_viewport_size({"width": 390, "height": 844})
    screenshot(sally, "inbox-phone")
    sally.set_viewport_size({"width": 1280, "height": 900})
    rows.first.get_by_role("link", name="Prepare quote").click()
    sally.wait_for_url(f"**/tasks/{task.pk}/")
    assert sally.locator("h1").inner_text() == "Prepare quote"
    assert "ACME <b>Ltd</b>" in sally.locator("dl.variables").inner_text()
    sally.click("#claim-button")
    sally.wait_for_selector("#complete-button")
    assert "You hold this task now." in sally.locator(".messages").inner_text()
    screenshot(sally, "task-page")
    sally.set_viewport_size({"width": 390, "height": 844})
    screenshot(sally, "task-page-phone")
    sally.set_viewport_size({"width": 1280, "height": 900})

    sally.click("#complete-button")
    sally.wait_for_url(lambda url: f"/tasks/{task.pk}/" not in url)
    assert "Task completed." in sally.locator(".messages").inner_text()
    assert UserTask.objects.get(pk=task.pk).state == UserTaskState.COMPLETED

    invoice = UserTask.objects.exclude(pk=finance_task.pk).get(
        node_id="Invoice", state=UserTaskState.OPEN
    )
    frank = as_user(browser, live_server, "frank")
    frank.goto("/")
    listed = frank.locator("table.tasks tbody tr[data-task]")
    listed.first.wait_for()
    ids = {listed.nth(i).get_attribute("data-task") for i in range(listed.count())}
    assert ids == {str(invoice.pk), str(finance_task.pk)}
    frank.goto(f"/tasks/{invoice.pk}/")
    assert frank.locator("h1").inner_text() == "Send invoice"
    response = frank.goto(f"/tasks/{task.pk}/")
    assert response.status == 404
    assert "Prepare quote" not in frank.content()
