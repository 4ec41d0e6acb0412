"""The embedded stack of ``make run`` (``scripts/run_stack.sh``: web app, worker, beat on
the embedded broker) stays up: a soak of service tasks and timers runs with no crash, and
a process that dies is started again while the others go on."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bpmn_engine.models import ProcessInstance
from bpmn_engine.services import deploy_definition, start_instance
from config.celery import app
from tests.celery_process import ROOT
from tests.jobs.conftest import database_url
from tests.jobs.handlers import attempts_of

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.soak,
    pytest.mark.django_db(transaction=True),
]

INSTANCES = 200
SOAK = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="soak" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:serviceTask id="Double" camunda:type="external" camunda:topic="test-double"/>
    <bpmn:intermediateCatchEvent id="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="Count" camunda:type="external" camunda:topic="test-increment"/>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Double"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Double" targetRef="Wait"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Wait" targetRef="Count"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Count" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>"""
CRASH_SIGNS = ("Unrecoverable error", "CRITICAL", "exited with status", "JSONDecodeError")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """``scripts/run_stack.sh`` on the test database and a private embedded broker."""

    def __init__(self, folder: Path, journal: Path) -> None:
        self.folder = folder
        self.log_path = folder / "stack.log"
        self.broker = folder / "broker"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": "embedded://",
            "CELERY_BROKER_DIR": str(self.broker),
            "CELERY_TASK_DEFAULT_QUEUE": "procession",
            "PROCESSION_VAR_DIR": str(folder / "var"),
            "PROCESSION_HANDLER_MODULES": "tests.jobs.handlers",
            "PROCESSION_TEST_JOURNAL": str(journal),
            "PROCESSION_JOB_REDISPATCH_SECONDS": "5",
            "PORT": str(free_port()),
            "PY": sys.executable,
        }

    def __enter__(self) -> Stack:
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            ["bash", "scripts/run_stack.sh"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.log.close()

    def read_log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> dict[str, int]:
        """The stack's processes by role (worker, beat, web)."""
        pid = self.process.pid
        found = {}
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            with contextlib.suppress(FileNotFoundError):
                command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                for role in ("worker", "beat", "runserver"):
                    if f" {role}".encode() in command:
                        found[role] = int(child)
        return found

    def wait_for(self, predicate, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            assert self.process.poll() is None, f"the stack exited:\n{self.read_log()[-4000:]}"
            time.sleep(0.5)
        raise AssertionError(f"{what} not within {timeout}s:\n{self.read_log()[-6000:]}")


@pytest.fixture
def embedded_app(stack_folder: Path):
    """This process's Celery app publishing to the stack's embedded broker."""
    saved = app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_default_queue
    broker = stack_folder / "broker"
    for name in ("queue", "control", "processed"):
        (broker / name).mkdir(parents=True, exist_ok=True)
    app.conf.broker_url = "embedded://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "control_folder": str(broker / "control"),
        "processed_folder": str(broker / "processed"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
    app.conf.task_default_queue = "procession"
    app._pool, app.amqp._producer_pool = None, None
    yield app
    app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_default_queue = saved
    app._pool, app.amqp._producer_pool = None, None


@pytest.fixture
def stack_folder(tmp_path: Path) -> Path:
    return tmp_path


def ended(ids: list[int]) -> bool:
    return ProcessInstance.objects.filter(pk__in=ids, status="completed").count() == len(ids)


def test_the_embedded_stack_runs_service_tasks_and_timers_without_a_crash_and_restarts_a_dead_process(  # noqa: E501
    stack_folder, embedded_app, journal
):
    deploy_definition(name="soak", resources={"soak.bpmn": SOAK})
    with Stack(stack_folder, journal) as stack:
        stack.wait_for(lambda: len(stack.children()) == 3, 60, "three processes")
        ids = [
            start_instance(definition_key="soak", variables={"amount": n}).pk
            for n in range(INSTANCES)
        ]
        stack.wait_for(lambda: ended(ids), 240, f"{INSTANCES} instances completed")
        log = stack.read_log()
        assert not [sign for sign in CRASH_SIGNS if sign in log], log[-6000:]
        assert len(attempts_of(journal, "test-double")) == INSTANCES
        assert len(attempts_of(journal, "test-increment")) == INSTANCES

        # A dead worker is started again; the web app and the scheduler stay as they were.
        before = stack.children()
        os.kill(before["worker"], signal.SIGKILL)
        stack.wait_for(
            lambda: stack.children().get("worker") not in (None, before["worker"]),
            30,
            "a new worker",
        )
        after = stack.children()
        assert (after["beat"], after["runserver"]) == (before["beat"], before["runserver"])
        more = [start_instance(definition_key="soak").pk for _ in range(3)]
        stack.wait_for(lambda: ended(more), 120, "instances run by the restarted worker")
        assert "run_stack: worker exited" in stack.read_log()
