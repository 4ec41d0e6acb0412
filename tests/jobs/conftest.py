"""Job-test helpers: a generated service-task process and a worker on the test database."""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape, quoteattr

import pytest
from django.conf import settings
from django.db import connection

import tests.jobs.handlers  # noqa: F401 - registers the test handlers in this process
from bpmn_engine.services import deploy_definition
from tests.celery_process import CeleryWorkerProcess
from tests.tcp_proxy import TcpProxy


def service_process(
    process_id: str,
    *job_types: str,
    boundary_error: str | None = None,
    retry_cycle: str | None = None,
    fields: dict[str, str] | None = None,
    inputs: dict[str, str] | None = None,
) -> bytes:
    """start -> one service task per job type -> end; optional error boundary on the first.

    ``fields`` become ``camunda:field`` settings, ``inputs`` ``camunda:inputParameter``s
    (expressions allowed) of every task."""
    parts = []
    if retry_cycle:
        parts.append(
            f"<camunda:failedJobRetryTimeCycle>{retry_cycle}</camunda:failedJobRetryTimeCycle>"
        )
    for name, value in (fields or {}).items():
        parts.append(f'<camunda:field name="{name}" stringValue={quoteattr(value)}/>')
    if inputs:
        parameters = "".join(
            f'<camunda:inputParameter name="{name}">{escape(value)}</camunda:inputParameter>'
            for name, value in inputs.items()
        )
        parts.append(f"<camunda:inputOutput>{parameters}</camunda:inputOutput>")
    cycle = f"<bpmn:extensionElements>{''.join(parts)}</bpmn:extensionElements>" if parts else ""
    tasks, flows, previous = [], [], "Start"
    for index, job_type in enumerate(job_types):
        tasks.append(
            f'<bpmn:serviceTask id="S{index}" camunda:type="external" '
            f'camunda:topic="{job_type}">{cycle}</bpmn:serviceTask>'
        )
        flows.append(
            f'<bpmn:sequenceFlow id="f{index}" sourceRef="{previous}" targetRef="S{index}"/>'
        )
        previous = f"S{index}"
    flows.append(f'<bpmn:sequenceFlow id="fEnd" sourceRef="{previous}" targetRef="End"/>')
    boundary = ""
    if boundary_error:
        boundary = (
            '<bpmn:boundaryEvent id="Caught" attachedToRef="S0">'
            '<bpmn:errorEventDefinition errorRef="Err"/></bpmn:boundaryEvent>'
            '<bpmn:sequenceFlow id="fCaught" sourceRef="Caught" targetRef="Handled"/>'
            '<bpmn:endEvent id="Handled"/>'
        )
    error = f'<bpmn:error id="Err" errorCode="{boundary_error}"/>' if boundary_error else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">{error}
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="Start"/>{"".join(tasks)}{"".join(flows)}{boundary}
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def deploy_service_process(process_id: str, *job_types: str, **options) -> None:
    deploy_definition(
        name=process_id,
        resources={f"{process_id}.bpmn": service_process(process_id, *job_types, **options)},
    )


def database_url() -> str:
    """The URL of the database this test runs on (the test database), for a worker."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{settings.get('PORT') or 5432}/{settings['NAME']}"


@pytest.fixture
def journal(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "journal.txt"
    monkeypatch.setenv("PROCESSION_TEST_JOURNAL", str(path))
    return path


#: Job timing the worker fixture shortens, in the worker's environment and in this
#: process's settings alike: the test process publishes the messages, whose time limits
#: (and so the leases a dead worker leaves behind) follow the same settings.
SHARED_JOB_TIMING = (
    "PROCESSION_JOB_LOCK_MARGIN_SECONDS",
    "PROCESSION_JOB_BACKOFF_BASE_SECONDS",
    "PROCESSION_JOB_BACKOFF_MAX_SECONDS",
    "PROCESSION_JOB_REDISPATCH_SECONDS",
    "PROCESSION_JOB_HARD_LIMIT_GRACE_SECONDS",
    "PROCESSION_JOB_CHAIN_SECONDS",
)


@pytest.fixture
def engine_worker(tmp_path: Path, journal: Path, settings):
    """A real worker with an embedded scheduler (timers, sweeper) on the test database,
    tuned for fast recovery: short lock margin, hard-limit grace and chain budget, quick
    backoff and re-dispatch. This process's settings get the same job timing, as every
    process of a deployment shares one environment."""
    workers: list[CeleryWorkerProcess] = []

    def start(concurrency: int = 1, **env: str) -> CeleryWorkerProcess:
        environment = {
            "DATABASE_URL": database_url(),
            "PROCESSION_HANDLER_MODULES": "tests.jobs.handlers",
            "PROCESSION_TEST_JOURNAL": str(journal),
            "PROCESSION_JOB_LOCK_MARGIN_SECONDS": "2",
            "PROCESSION_JOB_BACKOFF_BASE_SECONDS": "0.2",
            "PROCESSION_JOB_BACKOFF_MAX_SECONDS": "1",
            "PROCESSION_JOB_REDISPATCH_SECONDS": "2",
            "PROCESSION_JOB_HARD_LIMIT_GRACE_SECONDS": "2",
            "PROCESSION_JOB_CHAIN_SECONDS": "5",
            "PROCESSION_JOB_SWEEP_SECONDS": "1",
            "PROCESSION_TIMER_POLL_SECONDS": "1",
            **env,
        }
        for name in SHARED_JOB_TIMING:
            setattr(settings, name, float(environment[name]))
        worker = CeleryWorkerProcess(
            log_path=tmp_path / f"worker-{len(workers)}.log",
            extra_env=environment,
            embedded_beat=True,
            concurrency=concurrency,
        )
        worker.start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def proxied_broker(monkeypatch):
    url = urlsplit(settings.CELERY_BROKER_URL)
    if url.scheme not in {"redis", "amqp", "pyamqp"}:
        pytest.skip(
            "the embedded filesystem broker has no network connection to cut; "
            "this test runs in the Redis and RabbitMQ passes"
        )
    default_port = 6379 if url.scheme == "redis" else 5672
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or default_port)
    proxy.start()
    netloc = url.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    proxied = urlunsplit(url._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))
    from config.celery import app

    monkeypatch.setattr(settings, "CELERY_BROKER_URL", proxied)
    # Celery reads the broker URL from this variable before its own configuration: without
    # it, this process would keep publishing straight to the broker, around the proxy.
    monkeypatch.setenv("CELERY_BROKER_URL", proxied)
    previous = app.conf.broker_url
    use_broker(app, proxied)
    yield proxy
    use_broker(app, previous)
    proxy.stop()


def use_broker(app, url: str) -> None:
    """Point this process's Celery app at ``url``. Pools stay open (kombu keeps one per
    URL, process-wide); the app just stops using the old one."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    with contextlib.suppress(AttributeError):
        del app.control.mailbox.producer_pool
