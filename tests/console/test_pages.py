"""Console pages render for process developers with the data they promise."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bpmn_engine.models import ProcessDefinition, UserTask
from bpmn_engine.services import start_instance
from tests.console.conftest import ORDER

pytestmark = pytest.mark.django_db


@pytest.fixture
def developer_client(client, people):
    client.force_login(people["developer"])
    return client


def test_definitions_list_counts_running_instances_per_version(developer_client, order):
    start_instance(definition_key="order")
    start_instance(definition_key="order")
    page = developer_client.get(reverse("console:definitions"))
    assert page.status_code == 200
    row = page.context["keys"][0].versions[0]
    assert (row.key, row.version, row.running, row.completed) == ("order", 1, 2, 0)


def test_uploading_an_invalid_diagram_lists_errors_with_line_and_element(developer_client):
    broken = ORDER.replace(b'targetRef="Review"', b'targetRef="Nowhere"')
    page = developer_client.post(
        reverse("console:deploy"),
        {"files": [SimpleUploadedFile("order.bpmn", broken)]},
    )
    assert page.status_code == 400
    issues = page.context["failed"].errors
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if b'id="f1"' in text)
    assert any(i.element_id == "f1" and i.line == line for i in issues), issues
    assert "f1" in page.content.decode()
    assert not ProcessDefinition.objects.exists()


def test_uploading_a_changed_diagram_deploys_version_two_beside_version_one(
    developer_client, order
):
    changed = ORDER.replace(b'name="Ship"', b'name="Ship parcel"')
    page = developer_client.post(
        reverse("console:deploy"),
        {"files": [SimpleUploadedFile("order.bpmn", changed)], "name": "order"},
        follow=True,
    )
    assert page.status_code == 200
    assert [d.version for d in page.context["created"]] == [2]
    assert [d.version for d in page.context["versions"]] == [2, 1]


def test_deploy_warns_about_service_tasks_that_no_handler_runs(developer_client):
    diagram = ORDER.replace(
        b'camunda:type="external" camunda:topic="test-flaky"', b'camunda:class="com.acme.Charge"'
    ).replace(
        b'<bpmn:userTask id="Ship" name="Ship"/>',
        b'<bpmn:serviceTask id="Ship" camunda:type="external" camunda:topic="email"/>',
    )
    page = developer_client.post(
        reverse("console:deploy"),
        {"files": [SimpleUploadedFile("order.bpmn", diagram)]},
        follow=True,
    )
    codes = {(w.element_id, w.code) for w in page.context["runtime_warnings"]}
    assert ("Ship", "builtin-handler-takes-topic") in codes
    assert ("Charge", "no-handler") in codes


def test_the_instance_page_marks_the_waiting_task_as_active(developer_client, order):
    instance = start_instance(definition_key="order")
    page = developer_client.get(reverse("console:instance", args=[instance.pk]))
    marks = page.context["marks"]
    assert marks["active"] == ["Review"] and "Start" in marks["completed"]
    assert marks["flows"] == ["f1"]
    assert 'id="instance-marks"' in page.content.decode()


def test_moving_a_token_from_the_instance_page(developer_client, order):
    instance = start_instance(definition_key="order")
    developer_client.post(
        reverse("console:move", args=[instance.pk]),
        {"from_node": "Review", "to_node": "Ship", "reason": "skip review"},
    )
    assert list(
        UserTask.objects.filter(instance=instance, state="open").values_list("node_id", flat=True)
    ) == ["Ship"]


def test_changing_a_variable_needs_a_reason(developer_client, order):
    instance = start_instance(definition_key="order", variables={"amount": 1})
    url = reverse("console:variables", args=[instance.pk])
    developer_client.post(url, {"name": "amount", "value": "5", "reason": ""})
    assert instance.variable_rows.get(name="amount").value == 1
    developer_client.post(url, {"name": "amount", "value": "5", "reason": "typo"})
    assert instance.variable_rows.get(name="amount").value == 5


def test_instance_search_by_variable_value_and_state(developer_client, order):
    wanted = start_instance(definition_key="order", variables={"customer": "acme"})
    start_instance(definition_key="order", variables={"customer": "other"})
    page = developer_client.get(
        reverse("console:instances"),
        {
            "definition": "order",
            "state": "active",
            "variable_name": "customer",
            "variable_value": "acme",
        },
    )
    assert [i.pk for i in page.context["page"]] == [wanted.pk]


def test_starting_an_instance_from_the_definition_page(developer_client, order):
    response = developer_client.post(
        reverse("console:start", args=["order", 1]),
        {"business_key": "B-1", "variables": json.dumps({"amount": 3})},
    )
    instance = order.instances.get()
    assert response.url == reverse("console:instance", args=[instance.pk])
    assert instance.business_key == "B-1"


def test_the_heatmap_counts_instances_per_element(developer_client, order):
    for _ in range(3):
        start_instance(definition_key="order")
    page = developer_client.get(reverse("console:definition-heatmap", args=["order", 1]))
    heat = page.context["heat_data"]
    assert heat["Review"]["instances"] == 3 and heat["Start"]["instances"] == 3
    assert "Ship" not in heat


def test_the_diff_shows_the_changed_lines_between_versions(developer_client, order):
    from bpmn_engine.services import deploy_definition

    deploy_definition(
        name="order", resources={"order.bpmn": ORDER.replace(b'name="Ship"', b'name="Send"')}
    )
    page = developer_client.get(reverse("console:definition-diff", args=["order", 2]))
    added = [line for kind, line in page.context["lines"] if kind == "added"]
    assert any('name="Send"' in line for line in added)


def test_called_and_calling_instances_link_each_other(developer_client):
    from tests.services.conftest import deploy

    deploy("call_activity/order.bpmn", "call_activity/credit_check.bpmn")
    parent = start_instance(definition_key="order", variables={"amount": 10})
    child = parent.children.get()
    parent_page = developer_client.get(reverse("console:instance", args=[parent.pk]))
    child_url = reverse("console:instance", args=[child.pk])
    assert f'href="{child_url}"' in parent_page.content.decode()
    child_page = developer_client.get(child_url)
    parent_url = reverse("console:instance", args=[parent.pk])
    assert 'class="parent-link"' in child_page.content.decode()
    assert f'href="{parent_url}"' in child_page.content.decode()


DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
  namespace="t">
  <decision id="discount" name="Discount">
    <decisionTable id="t1">
      <input id="i1"><inputExpression id="e1" typeRef="number"><text>amount</text>
      </inputExpression></input>
      <output id="o1" name="discount" typeRef="number"/>
      <rule id="r1"><inputEntry id="ie1"><text>&gt;= 0</text></inputEntry>
        <outputEntry id="oe1"><text>0</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""


def _rule_task_order() -> bytes:
    return ORDER.replace(
        b'<bpmn:userTask id="Ship" name="Ship"/>',
        b'<bpmn:businessRuleTask id="Ship" camunda:decisionRef="discount"/>',
    )


def test_deploy_warns_about_a_decision_that_is_not_deployed(developer_client):
    page = developer_client.post(
        reverse("console:deploy"),
        {"files": [SimpleUploadedFile("order.bpmn", _rule_task_order())]},
        follow=True,
    )
    codes = {(w.element_id, w.code) for w in page.context["runtime_warnings"]}
    assert ("Ship", "decision-not-deployed") in codes


def test_a_decision_uploaded_with_the_diagram_silences_the_warning(developer_client):
    page = developer_client.post(
        reverse("console:deploy"),
        {
            "files": [
                SimpleUploadedFile("order.bpmn", _rule_task_order()),
                SimpleUploadedFile("discount.dmn", DMN),
            ]
        },
        follow=True,
    )
    assert page.status_code == 200
    codes = {w.code for w in page.context["runtime_warnings"]}
    assert "decision-not-deployed" not in codes
