"""Deployments and process definitions over /api/v1/."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bpmn_engine.models import Deployment, ProcessDefinition
from tests.api import diagrams

pytestmark = pytest.mark.django_db


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/xml")


def test_developer_deploys_files_and_gets_definitions(client_for):
    response = client_for("developer").post(
        "/api/v1/deployments/",
        {"file": [upload("order.bpmn", diagrams.ORDER), upload("work.bpmn", diagrams.WORK)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {d["key"] for d in body["definitions"]} == {"order", "work"}
    assert all(d["version"] == 1 for d in body["definitions"])
    assert Deployment.objects.get(pk=body["id"]).resources.count() == 2


def test_invalid_file_answers_errors_per_element_and_deploys_nothing(client_for):
    response = client_for("developer").post(
        "/api/v1/deployments/",
        {"file": [upload("order.bpmn", diagrams.ORDER), upload("broken.bpmn", diagrams.BROKEN)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert errors and all(e["file"] == "broken.bpmn" for e in errors)
    assert any(e["element_id"] == "f1" and e["line"] for e in errors)
    assert not Deployment.objects.exists()


@pytest.mark.parametrize("role", ["sally", "audrey"])
def test_business_users_and_auditors_may_not_deploy(client_for, role):
    response = client_for(role).post(
        "/api/v1/deployments/", {"file": [upload("o.bpmn", diagrams.ORDER)]}, format="multipart"
    )
    assert response.status_code == 403
    assert response.json()["type"] == "urn:procession:problem:permission-denied"


def test_anonymous_is_refused_with_a_problem(client_for):
    response = client_for(None).get("/api/v1/deployments/")
    assert response.status_code in (401, 403)
    assert response.json()["type"].startswith("urn:procession:problem:")


def test_auditor_reads_deployments_business_user_does_not(client_for, order):
    assert client_for("audrey").get("/api/v1/deployments/").json()["count"] == 1
    assert client_for("sally").get("/api/v1/deployments/").status_code == 403
    detail = client_for("developer").get(f"/api/v1/deployments/{order.deployment_id}/")
    assert detail.json()["definitions"][0]["key"] == "order"


def test_definitions_filter_by_key_and_latest_and_give_xml_on_request(client_for, order):
    from tests.api.conftest import deploy_xml

    deploy_xml(order=diagrams.ORDER.replace('name="Order"', 'name="Order v2"'))
    client = client_for("sally")
    all_versions = client.get("/api/v1/process-definitions/?key=order").json()
    assert [d["version"] for d in all_versions["results"]] == [2, 1]
    latest = client.get("/api/v1/process-definitions/?key=order&latest=true").json()
    assert [d["version"] for d in latest["results"]] == [2]
    plain = client.get(f"/api/v1/process-definitions/{order.pk}/").json()
    assert plain["xml"] is None
    with_xml = client.get(f"/api/v1/process-definitions/{order.pk}/?xml=true").json()
    assert 'id="order"' in with_xml["xml"]


def test_start_by_key_and_by_id(client_for, order):
    client = client_for("developer")
    by_key = client.post(
        "/api/v1/process-definitions/key/order/start/",
        {"variables": {"amount": 5}, "business_key": "B-1"},
        format="json",
    )
    assert by_key.status_code == 201, by_key.content
    body = by_key.json()
    assert body["business_key"] == "B-1"
    assert body["state"] == "active"
    assert body["variables"] == {"amount": 5}
    assert body["active_activities"] == ["Approve"]
    assert body["definition"] == {"id": order.pk, "key": "order", "version": 1}
    by_id = client.post(f"/api/v1/process-definitions/{order.pk}/start/", {}, format="json")
    assert by_id.status_code == 201


def test_start_of_unknown_key_is_404(client_for, order):
    response = client_for("developer").post(
        "/api/v1/process-definitions/key/nope/start/", {}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["type"] == "urn:procession:problem:not-found"


def test_start_of_suspended_definition_is_a_conflict_with_a_stable_type(client_for, order):
    ProcessDefinition.objects.filter(pk=order.pk).update(suspended=True)
    response = client_for("developer").post(
        f"/api/v1/process-definitions/{order.pk}/start/", {}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["type"] == "urn:procession:problem:definition-suspended"


def test_backpressure_answers_429_with_retry_after(client_for, order, settings):
    from bpmn_engine.models import Job
    from bpmn_engine.services import backpressure

    settings.PROCESSION_MAX_JOB_BACKLOG = 1
    backpressure._last_clear.clear()
    start = client_for("developer").post
    for n in range(2):
        Job.objects.create(
            instance=_started(client_for, order),
            wait_id=f"w{n}",
            node_id="x",
            job_type="t",
            idempotency_key=f"k{n}",
            due_at="2026-01-01T00:00:00Z",
            created_at="2026-01-01T00:00:00Z",
        )
    backpressure._last_clear.clear()
    response = start("/api/v1/process-definitions/key/order/start/", {}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    assert response.json()["type"] == "urn:procession:problem:backpressure"


def _started(client_for, order):
    from bpmn_engine.models import ProcessInstance

    body = (
        client_for("developer")
        .post("/api/v1/process-definitions/key/order/start/", {}, format="json")
        .json()
    )
    return ProcessInstance.objects.get(pk=body["id"])
