"""The process console in a real browser: deploy, start, watch the tokens on the
bpmn-js diagram, move a token, repair an incident."""

from __future__ import annotations

import pytest

import tests.jobs.handlers  # noqa: F401 - registers test-flaky for the in-process job runner
from bpmn_engine.models import Incident, Job, ProcessInstance
from bpmn_engine.services import deploy_definition
from bpmn_engine.services.job_runner import execute_job
from tests.console.conftest import make_user
from tests.e2e.conftest import login, screenshot
from tests.e2e.diagrams import order_xml

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "procession"


@pytest.fixture
def developer(transactional_db):
    return make_user("developer", "process-developers", password=PASSWORD, is_staff=True)


def marker(page, element_id: str, css_class: str) -> str:
    return f'g.djs-element.{css_class}[data-element-id="{element_id}"]'


def wait_for_diagram(page) -> None:
    page.wait_for_selector('[data-diagram-state="ready"]')


def test_an_invalid_upload_lists_its_errors_and_marks_them_on_the_diagram(page, developer):
    login(page, "developer", PASSWORD)
    broken = order_xml().replace(
        b'<bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Charge"/>',
        b'<bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Charge">'
        b"<bpmn:conditionExpression>${amount &gt;}</bpmn:conditionExpression>"
        b"</bpmn:sequenceFlow>",
    )
    page.goto("/console/deploy/")
    page.set_input_files(
        "#id_files", files=[{"name": "order.bpmn", "mimeType": "application/xml", "buffer": broken}]
    )
    page.click("#deploy-button")
    page.wait_for_selector("#validation-errors")
    row = page.locator('tr.issue[data-element="f2"]')
    assert "valid expression" in row.inner_text()
    wait_for_diagram(page)
    assert page.locator(marker(page, "f2", "console-error")).count() == 1
    screenshot(page, "deploy-invalid")
    assert not ProcessInstance.objects.exists()


def test_a_valid_upload_shows_version_two_beside_version_one(page, developer):
    deploy_definition(name="order", resources={"order.bpmn": order_xml()})
    login(page, "developer", PASSWORD)
    page.goto("/console/deploy/")
    page.set_input_files(
        "#id_files",
        files=[
            {
                "name": "order.bpmn",
                "mimeType": "application/xml",
                "buffer": order_xml("Check order"),
            }
        ],
    )
    page.fill("#id_name", "order")
    page.click("#deploy-button")
    page.wait_for_selector("ul.deployed")
    assert page.locator("ul.deployed").inner_text().strip() == "order version 2"
    versions = page.locator("table.versions tr[data-version]")
    assert [versions.nth(i).get_attribute("data-version") for i in range(versions.count())] == [
        "2",
        "1",
    ]
    screenshot(page, "deploy-version-2")


def test_start_move_fail_retry_and_complete_an_instance(page, developer):
    deploy_definition(name="order", resources={"order.bpmn": order_xml()})
    login(page, "developer", PASSWORD)

    # start from the definition page; the instance page highlights the waiting task
    page.goto("/console/definitions/order/v1/")
    page.fill("#id_variables", '{"succeed_from": 2}')
    page.click("#start-instance")
    page.wait_for_url("**/console/instances/*/")
    wait_for_diagram(page)
    assert page.locator(marker(page, "Review", "console-active")).count() == 1
    assert page.locator(marker(page, "Start", "console-completed")).count() == 1
    assert page.locator(marker(page, "f1", "console-taken")).count() == 1
    screenshot(page, "instance-started")
    instance = ProcessInstance.objects.get()

    # move the token from the review to the charge: the marker moves with it
    page.select_option("#id_from_node", "Review")
    page.select_option("#id_to_node", "Charge")
    page.fill("#id_move_reason", "review done by phone")
    page.click("#move-button")
    wait_for_diagram(page)
    assert page.locator(marker(page, "Charge", "console-active")).count() == 1
    assert page.locator(marker(page, "Review", "console-active")).count() == 0
    screenshot(page, "instance-moved")

    # the charge fails on its first attempt (no automatic retries): an incident
    job = Job.objects.get(instance=instance, node_id="Charge")
    assert execute_job(job_id=job.pk, worker_id="e2e") == "failed"
    incident = Incident.objects.get(instance=instance, state="open")
    page.goto(f"/console/instances/{instance.pk}/")
    wait_for_diagram(page)
    assert page.locator(marker(page, "Charge", "console-incident")).count() == 1

    # retry it from the incidents page; the next attempt succeeds and the instance ends
    page.goto("/console/incidents/")
    group = page.locator('form.incident-group[data-element="Charge"]')
    assert "attempt 1 timed out" in group.inner_text()
    screenshot(page, "incidents")
    group.locator(".retry-button").click()
    page.wait_for_selector("#no-incidents")
    incident.refresh_from_db()
    assert incident.state == "resolved"
    assert execute_job(job_id=job.pk, worker_id="e2e") == "completed"
    page.goto(f"/console/instances/{instance.pk}/")
    assert page.locator("#instance-status").inner_text() == "completed"
    wait_for_diagram(page)
    assert page.locator(marker(page, "End", "console-completed")).count() == 1
    assert page.locator("g.djs-element.console-active").count() == 0
    screenshot(page, "instance-completed")


def test_the_heatmap_draws_instance_counts_on_the_diagram(page, developer):
    from bpmn_engine.services import start_instance

    deploy_definition(name="order", resources={"order.bpmn": order_xml()})
    for _ in range(2):
        start_instance(definition_key="order")
    login(page, "developer", PASSWORD)
    page.goto("/console/definitions/order/v1/heatmap/")
    wait_for_diagram(page)
    badge = page.locator('.console-heat-badge[data-element="Review"]')
    assert badge.inner_text().startswith("2 · ")
    assert page.locator(marker(page, "Review", "console-heat-high")).count() == 1
    assert page.locator('.console-heat-badge[data-element="End"]').count() == 0
    screenshot(page, "heatmap")
