"""The task inbox in a real browser: a sales user claims and completes a task, the next
one reaches finance, and nobody outside sales learns that the sales task exists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from bpmn_engine.models import UserTask
from bpmn_engine.models.work import UserTaskState
from bpmn_engine.services import deploy_definition, start_instance
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "procession"
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


@pytest.fixture
def people(transactional_db) -> dict[str, User]:
    sales, finance = Group.objects.create(name="sales"), Group.objects.create(name="finance")
    sally = User.objects.create_user("sally", password=PASSWORD)
    sally.groups.add(sales)
    frank = User.objects.create_user("frank", password=PASSWORD)
    frank.groups.add(finance)
    return {"sally": sally, "frank": frank}


def as_user(browser, live_server, username: str, viewport=(1280, 900)):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": viewport[0], "height": viewport[1]}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    login(tab, username, PASSWORD)
    return tab


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
    sally = as_user(browser, live_server, "sally")

    sally.goto(f"/tasks/{task.pk}/")
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

    invoice = UserTask.objects.get(node_id="Invoice", state=UserTaskState.OPEN)
    frank = as_user(browser, live_server, "frank")
    frank.goto(f"/tasks/{invoice.pk}/")
    assert frank.locator("h1").inner_text() == "Send invoice"
    response = frank.goto(f"/tasks/{task.pk}/")
    assert response.status == 404
    assert "Prepare quote" not in frank.content()
