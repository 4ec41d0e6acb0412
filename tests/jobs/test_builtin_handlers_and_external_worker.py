"""Built-in handlers against a real local HTTP server, and the external worker command."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from bpmn_engine.jobs.handlers import BpmnError, JobContext
from bpmn_engine.models import Incident, Job
from bpmn_engine.services import start_instance
from bpmn_engine.services.job_runner import execute_job
from tests.jobs.conftest import deploy_service_process

pytestmark = pytest.mark.django_db


class Recorder(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Recorder.requests.append(
            {
                "path": self.path,
                "body": body.decode(),
                "key": self.headers.get("Idempotency-Key"),
                "authorization": self.headers.get("Authorization"),
            }
        )
        status = 503 if self.path.startswith("/down") else 404 if "missing" in self.path else 201
        payload = json.dumps({"orderId": "A-17", "echo": json.loads(body or "null")}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def http_server():
    Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def http_job(url: str, **fields: str) -> Job:
    deploy_service_process(
        "calling",
        "http",
        fields={"url": url, "method": "POST", "body": '{"customer": "${customer}"}', **fields},
    )
    instance = start_instance(definition_key="calling", variables={"customer": "ACME"})
    return Job.objects.get(instance=instance)


def test_http_handler_posts_the_templated_body_and_maps_the_response(http_server):
    job = http_job(f"{http_server}/orders")
    assert execute_job(job_id=job.pk, worker_id="w") == "completed"
    [request] = Recorder.requests
    assert json.loads(request["body"]) == {"customer": "ACME"}
    assert request["key"] == job.idempotency_key
    instance = job.instance
    assert instance.variable_rows.get(name="response").value["orderId"] == "A-17"
    assert instance.variable_rows.get(name="statusCode").value == 201


def test_http_handler_takes_no_setting_from_process_variables(http_server):
    deploy_service_process(
        "calling", "http", fields={"url": f"{http_server}/orders", "method": "POST"}
    )
    instance = start_instance(
        definition_key="calling",
        variables={
            "method": "DELETE",
            "headers": {"Authorization": "Bearer stolen"},
            "resultVariable": "approved",
            "approved": False,
        },
    )
    job = Job.objects.get(instance=instance)
    assert execute_job(job_id=job.pk, worker_id="w") == "completed"
    [request] = Recorder.requests  # a POST (a DELETE would not have been recorded)
    assert request["authorization"] is None
    assert instance.variable_rows.get(name="approved").value is False
    assert instance.variable_rows.get(name="response").value["orderId"] == "A-17"


def test_http_handler_reads_settings_from_input_mappings(http_server):
    deploy_service_process(
        "calling",
        "http",
        inputs={"url": f"{http_server}/orders/${{orderId}}", "method": "POST"},
    )
    instance = start_instance(definition_key="calling", variables={"orderId": "9"})
    job = Job.objects.get(instance=instance)
    assert execute_job(job_id=job.pk, worker_id="w") == "completed"
    assert [r["path"] for r in Recorder.requests] == ["/orders/9"]


def test_http_handler_server_errors_are_retried_failures(http_server):
    job = http_job(f"{http_server}/down")
    assert execute_job(job_id=job.pk, worker_id="w") == "failed"
    job.refresh_from_db()
    assert (job.state, job.retries) == ("pending", 2)
    assert "503" in job.last_error


def test_http_handler_can_turn_client_errors_into_bpmn_errors(http_server):
    deploy_service_process(
        "calling",
        "http",
        boundary_error="HTTP_404",
        fields={"url": f"{http_server}/missing", "method": "POST", "bpmnErrorOn4xx": "true"},
    )
    instance = start_instance(definition_key="calling")
    job = Job.objects.get(instance=instance)
    assert execute_job(job_id=job.pk, worker_id="w") == "bpmn-error"
    assert instance.activity_history.filter(node_id="Handled").exists()


def test_email_handler_sends_the_templated_message(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deploy_service_process(
        "mailing",
        "email",
        fields={"to": "sally@example.com", "subject": "Order ${order}", "body": "Hello"},
    )
    instance = start_instance(definition_key="mailing", variables={"order": 7, "to": "x@evil"})
    assert execute_job(job_id=Job.objects.get(instance=instance).pk, worker_id="w") == "completed"
    assert mail.outbox[0].subject == "Order 7"
    assert mail.outbox[0].to == ["sally@example.com"]


def pack(job: JobContext) -> dict:
    if job.variables.get("fragile"):
        raise BpmnError("TOO_FRAGILE")
    if job.variables.get("broken"):
        raise RuntimeError("conveyor stuck")
    return {"packed": True, "items": job.variables["items"]}


def test_external_worker_command_completes_a_batch():
    deploy_service_process("packing", "pack")
    instances = [start_instance(definition_key="packing", variables={"items": n}) for n in range(3)]
    out = StringIO()
    call_command(
        "run_external_worker",
        "--topic",
        "pack",
        "--once",
        "--handler",
        "tests.jobs.test_builtin_handlers_and_external_worker:pack",
        stdout=out,
    )
    assert "handled 3 task(s)" in out.getvalue()
    for instance in instances:
        instance.refresh_from_db()
        assert instance.status == "completed"


def test_external_worker_reports_failures_with_retries_then_an_incident(settings):
    deploy_service_process("packing", "pack")
    instance = start_instance(definition_key="packing", variables={"broken": True})
    job = Job.objects.get(instance=instance)
    from bpmn_engine.jobs.external_worker import ExternalWorker

    worker = ExternalWorker(worker_id="w", topic="pack", function=pack, retries=1)
    assert worker.run_once() == 1
    job.refresh_from_db()
    assert job.state == "failed"
    assert "conveyor stuck" in Incident.objects.get(job=job).message
