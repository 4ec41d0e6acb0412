"""The real camunda-external-task-client-python3 as a worker against a live server."""

from __future__ import annotations

import threading

import pytest
from camunda.external_task.external_task_worker import ExternalTaskWorker

from api import long_poll
from bpmn_engine.models import Incident, ProcessInstance
from bpmn_engine.services import start_instance
from tests.api import diagrams
from tests.api.conftest import deploy_xml

pytestmark = pytest.mark.django_db(transaction=True)


def handle(task):
    """Complete, fail (no retries left) or throw a BPMN error, as the instance asks."""
    mode = task.get_variable("mode")
    if mode == "ok":
        return task.complete({"result": f"done {task.get_variable('n')}"})
    if mode == "fail":
        return task.failure("printer on fire", "stack trace here", max_retries=0, retry_timeout=0)
    return task.bpmn_error("REJECTED", "not acceptable", {"reason": "policy"})


@pytest.fixture
def worker(live_server, users):
    return ExternalTaskWorker(
        worker_id="py-worker",
        base_url=f"{live_server.url}/engine-rest",
        config={
            "auth_basic": {"username": "worker", "password": "procession"},
            "maxTasks": 1,
            "lockDuration": 10_000,
            "asyncResponseTimeout": 5_000,
            "sleepSeconds": 0,
        },
    )


def test_worker_completes_fails_into_incident_and_routes_bpmn_errors(worker):
    deploy_xml(work=diagrams.WORK)
    ok = start_instance(definition_key="work", variables={"mode": "ok", "n": 7})
    failing = start_instance(definition_key="work", variables={"mode": "fail"})
    rejected = start_instance(definition_key="work", variables={"mode": "reject"})
    for _ in range(3):
        worker.fetch_and_execute("work", handle)

    ok.refresh_from_db()
    assert ok.status == "completed"
    assert ok.variable_rows.filter(scope_id="root", name="result").get().value == "done 7"

    incident = Incident.objects.get(instance=failing, state="open")
    assert incident.message == "printer on fire"
    assert ProcessInstance.objects.get(pk=failing.pk).status == "active"

    rejected.refresh_from_db()
    assert rejected.status == "completed"
    ended = set(rejected.activity_history.values_list("node_id", flat=True))
    assert "RejectedEnd" in ended and "Done" not in ended
    assert rejected.variable_rows.filter(name="reason").get().value == "policy"


def test_long_poll_delivers_a_task_created_while_the_worker_waits(worker, monkeypatch):
    deploy_xml(work=diagrams.WORK)
    waiting = threading.Event()
    started: list[int] = []
    real_check = long_poll._candidates_exist

    def observed_check(topics):
        waiting.set()  # the server found nothing and is holding the request open
        return real_check(topics)

    monkeypatch.setattr(long_poll, "_candidates_exist", observed_check)

    def start_while_waiting() -> None:
        assert waiting.wait(10)
        started.append(start_instance(definition_key="work", variables={"mode": "ok"}).pk)

    thread = threading.Thread(target=start_while_waiting)
    thread.start()
    worker.fetch_and_execute("work", handle)  # raises NoExternalTaskFound on an empty answer
    thread.join()
    assert ProcessInstance.objects.get(pk=started[0]).status == "completed"
