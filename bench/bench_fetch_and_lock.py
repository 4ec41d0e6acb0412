"""External-task round trips and long-poll wake-up latency through the HTTP API views.

Run: python bench/bench_fetch_and_lock.py [--tasks 200] [--wakeups 30]
It creates a throw-away test database (SQLite by default, or DATABASE_URL), deploys a
one-external-task process and measures, over the Camunda-shaped endpoints:
- fetchAndLock + complete round trips per second with tasks waiting;
- wake-up latency: a worker long-polls on an empty topic, an instance is started, and the
  time from the start's commit to the worker's answer is recorded (p50/p95).
Writes bench/results/fetch_and_lock.json."""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PROCESSION_VAR_DIR", tempfile.mkdtemp(prefix="procession-bench-"))

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bpmn_engine.services import deploy_definition, start_instance  # noqa: E402

WORK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://x">
  <bpmn:process id="work" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Work"/>
    <bpmn:serviceTask id="Work" camunda:type="external" camunda:topic="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Work" targetRef="Done"/>
    <bpmn:endEvent id="Done"/>
  </bpmn:process>
</bpmn:definitions>"""


def client() -> Client:
    token = base64.b64encode(b"worker:procession").decode()
    return Client(HTTP_AUTHORIZATION=f"Basic {token}")


def fetch(c: Client, timeout_ms: int = 0) -> list[dict]:
    body = {
        "workerId": "bench",
        "maxTasks": 1,
        "asyncResponseTimeout": timeout_ms,
        "topics": [{"topicName": "work", "lockDuration": 60000}],
    }
    response = c.post(
        "/engine-rest/external-task/fetchAndLock", json.dumps(body), content_type="application/json"
    )
    return response.json()


def complete(c: Client, task_id: str) -> None:
    response = c.post(
        f"/engine-rest/external-task/{task_id}/complete",
        json.dumps({"workerId": "bench"}),
        content_type="application/json",
    )
    assert response.status_code == 204, response.content


def round_trips(tasks: int) -> dict:
    for _ in range(tasks):
        start_instance(definition_key="work")
    c = client()
    began = time.perf_counter()
    done = 0
    while True:
        found = fetch(c)
        if not found:
            break
        complete(c, found[0]["id"])
        done += 1
    elapsed = time.perf_counter() - began
    return {
        "tasks": done,
        "seconds": round(elapsed, 3),
        "round_trips_per_s": round(done / elapsed, 1),
    }


def wakeups(count: int) -> dict:
    latencies = []
    for _ in range(count):
        answered: dict[str, float] = {}
        c = client()

        def worker(c: Client = c, answered: dict = answered) -> None:
            tasks = fetch(c, timeout_ms=10_000)
            answered["at"] = time.perf_counter()
            complete(c, tasks[0]["id"])
            connection.close()

        thread = threading.Thread(target=worker)
        thread.start()
        time.sleep(0.3)  # the worker is now holding its long poll open
        start_instance(definition_key="work")
        created = time.perf_counter()
        thread.join()
        latencies.append((answered["at"] - created) * 1000)
    latencies.sort()
    return {
        "samples": count,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (count - 1))], 1),
        "max_ms": round(latencies[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--wakeups", type=int, default=30)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        User.objects.create_superuser("worker", password="procession")
        deploy_definition(name="bench", resources={"work.bpmn": WORK.encode()})
        result = {
            "database": connection.vendor,
            "round_trips": round_trips(args.tasks),
            "wakeup_latency": wakeups(args.wakeups),
        }
        out = ROOT / "bench" / "results" / "fetch_and_lock.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
