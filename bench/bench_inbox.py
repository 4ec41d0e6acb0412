"""Inbox benchmark (run: python bench/bench_inbox.py [--tasks 1000000] [--repeat 200]).

The group-tasks page of a sales user whose group sees 100,000 open tasks among 1,000,000
tasks on PostgreSQL. Rows are loaded with set-based multi-row INSERTs shaped like the
engine's (one instance per task, a candidate-group row per task, two string variables
and one number per instance; half of the tasks completed); the five process definitions
are deployed through the engine. Measured, each ``--repeat`` times after a warm-up:

- the page query (the 26 rows of one page, through ``bpmn_engine.selectors.inbox``),
- the three bounded view counts (one statement),
- the whole request through the real view (Django test client, logged-in session),

for the group view (newest first and by due date), "All I can see", free-text searches
(a selective one over the variables, one by business key, a broad one), and an
administrator's "All I can see" (500,000 open tasks), with production settings (DEBUG
off; ``--debug`` measures with it on).
``--database`` names the PostgreSQL database (dropped and created; default
``procession_inbox_bench``); ``--keep`` reuses a loaded one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.support import PG_ADMIN_URL, RESULTS, psql  # noqa: E402

GROUPS = ["sales", *(f"team{n}" for n in range(1, 10))]
KEYS = ["order", "invoice", "claim", "onboarding", "purchase"]
DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:userTask id="Review" name="Review {key}" camunda:candidateGroups="${{team}}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""


def setup(database: str, debug: bool = False) -> None:
    """Django on ``database`` with production settings: ``DEBUG`` off (with it on, Django
    keeps every query's SQL), unless ``debug``."""
    os.environ["DATABASE_URL"] = f"{PG_ADMIN_URL.rstrip('/')}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "true" if debug else "false"
    os.environ.setdefault("SECRET_KEY", "bench-inbox-only-not-a-secret")
    import django

    django.setup()


def load(tasks: int) -> float:
    """Users, five deployed definitions and ``tasks`` engine-shaped task rows."""
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from bpmn_engine.services import deploy_definition

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    groups = {name: Group.objects.create(name=name) for name in GROUPS}
    for name, group in (("sally", "sales"), ("sam", "sales"), ("frank", "team1")):
        User.objects.create_user(name, password=None).groups.add(groups[group])
    User.objects.create_superuser("admin", password=None)
    ids = []
    for key in KEYS:
        xml = DIAGRAM.format(key=key, name=key.title()).encode()
        deployed = deploy_definition(name=key, resources={f"{key}.bpmn": xml})
        ids.append(deployed.definitions[0].pk)
    definition = "(ARRAY[" + ",".join(map(str, ids)) + "])[1 + i % 5]"
    # Task i: open when i is even; an open task's group is sales for one in five
    # (100,000 of 500,000), a completed one's for one in ten; one open task in a hundred
    # is held by sam, one in a thousand by sally. Created 30 s apart up to now.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO bpmn_engine_processinstance
              (id, business_key, status, state, version, parent_wait_id, started_at,
               definition_id, suspended)
            SELECT i, 'BK-' || lpad(i::text, 7, '0'),
                   CASE WHEN i % 2 = 0 THEN 'active' ELSE 'completed' END,
                   '{{"scopes": {{"root": {{"parent": null}}}}, "tokens": {{}}}}'::jsonb, 2, '',
                   now() - (({tasks} - i) * interval '30 seconds'), {definition}, false
            FROM generate_series(1, {tasks}) AS i"""
        )
        cursor.execute(
            f"""
            INSERT INTO bpmn_engine_usertask
              (id, instance_id, wait_id, node_id, name, state, assignee, owner,
               delegation_state, priority, due_at, follow_up_at, form_key, form_ref,
               form_fields, created_at, completed_at, completed_by)
            SELECT i, i, 'w' || i, 'Review', 'Review ' || (ARRAY{KEYS!r})[1 + i % 5],
                   CASE WHEN i % 2 = 0 THEN 'open' ELSE 'completed' END,
                   CASE WHEN i % 2 = 1 THEN 'sam' WHEN i % 1000 = 4 THEN 'sally'
                        WHEN i % 100 = 2 THEN 'sam' ELSE '' END,
                   '', '', CASE WHEN i % 7 = 0 THEN 80 WHEN i % 11 = 0 THEN 20 ELSE 50 END,
                   CASE WHEN i % 3 = 0 THEN now() + ((i % 29) - 7) * interval '1 day' END,
                   NULL, '', '', '[]'::jsonb,
                   now() - (({tasks} - i) * interval '30 seconds'),
                   CASE WHEN i % 2 = 1 THEN now() END,
                   CASE WHEN i % 2 = 1 THEN 'sam' ELSE '' END
            FROM generate_series(1, {tasks}) AS i"""
        )
        cursor.execute(
            f"""
            INSERT INTO bpmn_engine_usertaskcandidate (user_task_id, kind, identity)
            SELECT i, 'group',
                   CASE WHEN (i % 2 = 0 AND (i / 2) % 5 = 0) OR (i % 2 = 1 AND i % 10 = 1)
                        THEN 'sales' ELSE 'team' || (1 + i % 9) END
            FROM generate_series(1, {tasks}) AS i"""
        )
        cursor.execute(
            f"""
            INSERT INTO bpmn_engine_variablerow (instance_id, scope_id, name, type, value)
            SELECT i, 'root', v.name, v.type, v.value
            FROM generate_series(1, {tasks}) AS i,
            LATERAL (VALUES
              ('customer', 'String', to_jsonb('Customer ' || (i % 50000))),
              ('team', 'String', to_jsonb('team' || (1 + i % 9))),
              ('amount', 'Integer', to_jsonb(i % 10000))
            ) AS v(name, type, value)"""
        )
        for table in ("processinstance", "usertask", "usertaskcandidate", "variablerow"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('bpmn_engine_{table}', 'id'), "
                f"(SELECT max(id) FROM bpmn_engine_{table}))"
            )
        # as autovacuum would: statistics, and the visibility map index-only scans read
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _backend_cpu_ns() -> tuple[int, int] | None:
    """(pid, CPU time so far) of this connection's PostgreSQL backend (Linux
    ``/proc/<pid>/schedstat``, nanoseconds), or None where it cannot be read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        return pid, int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "max_ms": round(samples[-1], 2),
    }


def timed(action: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Wall-clock percentiles of ``action``, and of its CPU time: this process's plus its
    PostgreSQL backend's (on the same machine). Wall clock grows with the machine's
    load; the CPU time is what the action costs, close to what it takes on an idle
    machine (where the two differ only by a few socket round trips)."""
    for _ in range(min(3, repeat)):
        action()
    samples, cpu = [], []
    for _ in range(repeat):
        backend = _backend_cpu_ns()
        process = time.process_time_ns()
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
        used = time.process_time_ns() - process
        after = _backend_cpu_ns()
        if backend is not None and after is not None and backend[0] == after[0]:
            cpu.append((used + after[1] - backend[1]) / 1e6)  # same backend throughout
    result: dict[str, Any] = _percentiles(samples)
    if len(cpu) >= len(samples) // 2:
        result["cpu"] = _percentiles(cpu)
    return result


def measure(repeat: int) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from bpmn_engine.selectors.inbox import (
        InboxFilter,
        filtered_tasks,
        inbox_page,
        inbox_tasks,
        view_counts,
    )

    cases = {
        "group, newest first": ("sally", "group", {}),
        "group, by due date": ("sally", "group", {"sort": "due"}),
        "group, search 'customer 4711'": ("sally", "group", {"q": "customer 4711"}),
        "group, search business key 'BK-0004710'": ("sally", "group", {"q": "BK-0004710"}),
        "group, search 'customer 1' (broad)": ("sally", "group", {"q": "customer 1"}),
        "all I can see (sally)": ("sally", "all", {}),
        "all I can see (admin, 500k open)": ("admin", "all", {}),
    }
    urls = {"group": reverse("tasklist:group"), "all": reverse("tasklist:inbox")}
    results: dict[str, Any] = {}
    for label, (username, view, params) in cases.items():
        user = User.objects.get(username=username)
        filters = InboxFilter(sort=params.get("sort", "-created"), text=params.get("q", ""))

        def page(user=user, view=view, filters=filters):
            tasks = filtered_tasks(inbox_tasks(user, view), filters, now=timezone.now())
            return inbox_page(tasks, number=1, size=25)

        def counts(user=user, filters=filters):
            return view_counts(user, filters, now=timezone.now())

        client = Client()
        client.force_login(user)

        def request(client=client, url=urls[view], params=params):
            # secure: production settings redirect plain HTTP to HTTPS
            response = client.get(url, params, secure=True)
            assert response.status_code == 200

        first = page()
        # a search that matches few visible tasks walks all of them: fewer rounds
        rounds = max(5, repeat // 10) if "q" in params else repeat
        results[label] = {
            "rows_on_page": len(first.tasks),
            "view_counts": counts(),
            "rounds": rounds,
            "page_query": timed(page, rounds),
            "counts": timed(counts, rounds),
            "request": timed(request, rounds),
        }
        print(label, json.dumps(results[label]), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--database", default="procession_inbox_bench")
    parser.add_argument("--keep", action="store_true", help="reuse an already loaded database")
    parser.add_argument("--load-only", action="store_true", help="load, measure nothing")
    parser.add_argument("--debug", action="store_true", help="measure with DEBUG on")
    args = parser.parse_args()
    load_seconds = None
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        psql(f"CREATE DATABASE {args.database}")
    setup(args.database, debug=args.debug)
    if not args.keep:
        load_seconds = round(load(args.tasks), 1)
        print(f"loaded {args.tasks} tasks in {load_seconds} s", flush=True)
    if args.load_only:
        return
    if args.keep:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # indexes added since the load
    results = {
        "tasks": args.tasks,
        "repeat": args.repeat,
        "load_seconds": load_seconds,
        "cases": measure(args.repeat),
        "debug": args.debug,
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "inbox.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
