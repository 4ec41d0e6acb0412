"""External tasks over /api/v1/: fetch-and-lock (with long polling) and every outcome."""

from __future__ import annotations

import pytest

from bpmn_engine.models import Incident, Job, ProcessInstance
from bpmn_engine.services import start_instance

pytestmark = pytest.mark.django_db

TOPICS = [{"name": "work", "lock_duration_ms": 60_000}]


def fetch(client, worker="w1", **extra):
    body = {"worker_id": worker, "max_tasks": 5, "topics": TOPICS, **extra}
    return client.post("/api/v1/external-tasks/fetch-and-lock/", body, format="json")


def test_worker_fetches_and_completes(client_for, work):
    row = start_instance(definition_key="work", variables={"n": 1}, business_key="b")
    worker = client_for("worker")
    (task,) = fetch(worker).json()
    assert task["topic_name"] == "work" and task["variables"] == {"n": 1}
    assert task["process_instance"] == row.pk and task["business_key"] == "b"
    assert fetch(worker).json() == []
    done = worker.post(
        f"/api/v1/external-tasks/{task['id']}/complete/",
        {"worker_id": "w1", "variables": {"out": 2}},
        format="json",
    )
    assert done.status_code == 204
    assert ProcessInstance.objects.get(pk=row.pk).status == "completed"


def test_another_worker_cannot_complete_a_locked_task(client_for, work):
    start_instance(definition_key="work")
    worker = client_for("worker")
    (task,) = fetch(worker).json()
    stolen = worker.post(
        f"/api/v1/external-tasks/{task['id']}/complete/", {"worker_id": "w2"}, format="json"
    )
    assert stolen.status_code == 409
    assert stolen.json()["type"] == "urn:procession:problem:external-task-lock"
    missing = worker.post("/api/v1/external-tasks/999999/complete/", {"worker_id": "w1"})
    assert missing.status_code == 404


def test_failure_without_retries_raises_an_incident_that_retry_resolves(client_for, work):
    row = start_instance(definition_key="work")
    worker = client_for("worker")
    (task,) = fetch(worker).json()
    failed = worker.post(
        f"/api/v1/external-tasks/{task['id']}/failure/",
        {"worker_id": "w1", "error_message": "down", "retries": 0},
        format="json",
    )
    assert failed.status_code == 204
    incidents = client_for("developer").get(f"/api/v1/incidents/?process_instance={row.pk}")
    (incident,) = incidents.json()["results"]
    assert incident["message"] == "down" and incident["state"] == "open"
    assert client_for("sally").post(f"/api/v1/incidents/{incident['id']}/retry/").status_code == 403
    retried = client_for("developer").post(
        f"/api/v1/incidents/{incident['id']}/retry/", {"retries": 2}, format="json"
    )
    assert retried.json()["state"] == "resolved"
    assert len(fetch(worker).json()) == 1


def test_failure_with_retries_makes_the_task_fetchable_again(client_for, work):
    start_instance(definition_key="work")
    worker = client_for("worker")
    (task,) = fetch(worker).json()
    worker.post(
        f"/api/v1/external-tasks/{task['id']}/failure/",
        {"worker_id": "w1", "error_message": "flaky", "retries": 2, "retry_timeout_ms": 0},
        format="json",
    )
    (again,) = fetch(worker).json()
    assert again["id"] == task["id"] and again["retries"] == 2
    assert not Incident.objects.exists()


def test_bpmn_error_routes_to_the_boundary_event(client_for, work):
    row = start_instance(definition_key="work")
    worker = client_for("worker")
    (task,) = fetch(worker).json()
    response = worker.post(
        f"/api/v1/external-tasks/{task['id']}/bpmn-error/",
        {"worker_id": "w1", "error_code": "REJECTED"},
        format="json",
    )
    assert response.status_code == 204
    nodes = set(row.activity_history.values_list("node_id", flat=True))
    assert "RejectedEnd" in nodes and "Done" not in nodes


def test_extend_lock_and_unlock(client_for, work):
    start_instance(definition_key="work")
    worker = client_for("worker")
    (task,) = fetch(worker).json()
    extended = worker.post(
        f"/api/v1/external-tasks/{task['id']}/extend-lock/",
        {"worker_id": "w1", "new_duration_ms": 120_000},
        format="json",
    )
    assert extended.json()["lock_expiration_time"] > task["lock_expiration_time"]
    assert worker.post(f"/api/v1/external-tasks/{task['id']}/unlock/").status_code == 204
    assert Job.objects.get(pk=task["id"]).state == "pending"
    assert len(fetch(worker, worker="w2").json()) == 1


def test_suspended_instances_hand_out_no_external_tasks(client_for, work):
    row = start_instance(definition_key="work")
    client_for("developer").post(f"/api/v1/process-instances/{row.pk}/suspend/")
    assert fetch(client_for("worker")).json() == []
    client_for("developer").post(f"/api/v1/process-instances/{row.pk}/resume/")
    assert len(fetch(client_for("worker")).json()) == 1


def test_empty_long_poll_answers_an_empty_list_after_the_timeout(client_for, work):
    assert fetch(client_for("worker"), async_response_timeout_ms=200).json() == []


@pytest.mark.parametrize("role", ["sally", "audrey"])
def test_business_users_and_auditors_are_not_workers(client_for, work, role):
    assert fetch(client_for(role)).status_code == 403
