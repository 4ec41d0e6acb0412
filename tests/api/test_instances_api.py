"""Process instances over /api/v1/: filters, detail shape, operations, history."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm

from bpmn_engine.models import ProcessDefinition, ProcessInstance, UserTask
from bpmn_engine.services import start_instance
from tests.api import diagrams
from tests.api.conftest import deploy_xml

pytestmark = pytest.mark.django_db

CALLER = (
    diagrams.HEAD
    + """  <bpmn:process id="caller" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Reviews"/>
    <bpmn:userTask id="Reviews" camunda:candidateGroups="sales">
      <bpmn:multiInstanceLoopCharacteristics isSequential="false">
        <bpmn:loopCardinality>2</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Reviews" targetRef="Call"/>
    <bpmn:callActivity id="Call" calledElement="payment"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Call" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""
)


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_list_filters_by_key_business_key_state_and_variables(client_for, order, payment):
    a = start_instance(
        definition_key="order", business_key="A", variables={"amount": 5, "who": "x"}
    )
    b = start_instance(definition_key="order", business_key="B", variables={"amount": 50})
    c = start_instance(definition_key="payment", variables={"orderId": "o-1"})
    client = client_for("developer")
    assert set(ids(client.get("/api/v1/process-instances/?definition_key=order"))) == {a.pk, b.pk}
    assert ids(client.get("/api/v1/process-instances/?business_key=B")) == [b.pk]
    assert ids(client.get("/api/v1/process-instances/?variable=amount:gt:10")) == [b.pk]
    assert ids(client.get("/api/v1/process-instances/?variable=amount:eq:5")) == [a.pk]
    assert ids(client.get('/api/v1/process-instances/?variable=orderId:eq:"o-1"')) == [c.pk]
    both = client.get("/api/v1/process-instances/?variable=amount:lte:50&variable=who:like:x")
    assert ids(both) == [a.pk]
    bad = client.get("/api/v1/process-instances/?variable=amount:between:1")
    assert bad.status_code == 400
    client.post(f"/api/v1/process-instances/{c.pk}/cancel/", {}, format="json")
    assert ids(client.get("/api/v1/process-instances/?state=cancelled")) == [c.pk]
    paged = client.get("/api/v1/process-instances/?limit=1").json()
    assert paged["count"] == 3 and len(paged["results"]) == 1 and paged["next"]


def test_detail_has_the_contract_shape(client_for, order):
    row = start_instance(definition_key="order", business_key="K", variables={"n": 1})
    body = client_for("audrey").get(f"/api/v1/process-instances/{row.pk}/").json()
    assert {
        "id",
        "business_key",
        "state",
        "definition",
        "parent",
        "variables",
        "active_activities",
        "incidents",
    } <= body.keys()
    assert body["state"] == "active" and body["parent"] is None
    assert body["variables"] == {"n": 1}
    assert body["active_activities"] == ["Approve"]
    assert body["incidents"] == []


def test_business_user_sees_only_instances_they_started(client_for, users, order):
    definition = ProcessDefinition.objects.get(key="order")
    assign_perm("bpmn_engine.start_processdefinition", users["sally"], definition)
    mine = start_instance(definition_key="order", user=users["sally"])
    other = start_instance(definition_key="order")
    sally = client_for("sally")
    assert ids(sally.get("/api/v1/process-instances/")) == [mine.pk]
    assert sally.get(f"/api/v1/process-instances/{other.pk}/").status_code == 404


def test_suspend_blocks_work_until_resume(client_for, users, order):
    row = start_instance(definition_key="order")
    task = UserTask.objects.get(instance=row)
    dev = client_for("developer")
    suspended = dev.post(f"/api/v1/process-instances/{row.pk}/suspend/")
    assert suspended.json()["state"] == "suspended"
    refused = client_for("sally").post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:procession:problem:instance-suspended"
    listed = dev.get("/api/v1/process-instances/?state=suspended")
    assert ids(listed) == [row.pk]
    assert dev.post(f"/api/v1/process-instances/{row.pk}/resume/").json()["state"] == "active"
    done = client_for("sally").post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    assert done.status_code == 200


@pytest.mark.parametrize("role", ["sally", "audrey"])
def test_only_operators_cancel_suspend_or_change_variables(client_for, users, order, role):
    # started by the engine, credited to the user: business users and auditors may not
    # start "order" themselves (no candidate starters), but see instances they started
    row = start_instance(definition_key="order")
    ProcessInstance.objects.filter(pk=row.pk).update(started_by=users[role])
    client = client_for(role)
    for action in ("cancel", "suspend", "resume"):
        assert client.post(f"/api/v1/process-instances/{row.pk}/{action}/").status_code == 403
    patch = client.patch(
        f"/api/v1/process-instances/{row.pk}/variables/", {"variables": {"x": 1}}, format="json"
    )
    assert patch.status_code == 403


def test_patch_variables_and_cancel(client_for, order):
    row = start_instance(definition_key="order", variables={"a": 1})
    dev = client_for("developer")
    patched = dev.patch(
        f"/api/v1/process-instances/{row.pk}/variables/",
        {"variables": {"b": [1, 2]}},
        format="json",
    )
    assert patched.json()["variables"] == {"a": 1, "b": [1, 2]}
    cancelled = dev.post(f"/api/v1/process-instances/{row.pk}/cancel/", {"reason": "test"})
    assert cancelled.json()["state"] == "cancelled"
    again = dev.post(f"/api/v1/process-instances/{row.pk}/suspend/")
    assert again.status_code == 409


def test_history_names_called_instance_and_marks_multi_instance_body(client_for, users, payment):
    deploy_xml(caller=CALLER)
    row = start_instance(definition_key="caller")
    for task in UserTask.objects.filter(instance=row):
        client_for("sally").post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    body = client_for("developer").get(f"/api/v1/process-instances/{row.pk}/history/").json()
    entries = body["results"]
    assert body["count"] == len(entries)
    reviews = [e for e in entries if e["element_id"] == "Reviews"]
    assert sum(e["multi_instance_body"] for e in reviews) == 1
    assert len(reviews) == 3 and all(e["state"] == "completed" for e in reviews)
    (call,) = [e for e in entries if e["element_id"] == "Call"]
    child = row.children.get()
    assert call["called_instance"] == child.pk
    assert entries[0]["element_id"] == "Start"


def test_started_filters_accept_any_offset(client_for, order):
    row = start_instance(definition_key="order")
    client = client_for("developer")
    late = client.get("/api/v1/process-instances/?started_after=2161-09-15T02:56:53-17:13")
    assert late.status_code == 200 and late.json()["count"] == 0
    early = client.get("/api/v1/process-instances/?started_after=2000-01-01T00:00:00%2B14:00")
    assert ids(early) == [row.pk]
