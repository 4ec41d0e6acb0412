"""Persisted step cost: service-layer commands on PostgreSQL (1 to 4 clients) and SQLite,
against pgbench running a comparable transaction on the same server in the same run.

Each instance of a one-user-task process costs two commands: ``start_instance`` (runs to
the user task) and ``complete_user_task`` (runs to the end). Per client count, the
clients (threads, one connection each) start instances for ``--seconds``, then complete
every task they created; commands/s = commands / wall time of both phases. A separate
single-client pass instruments one command (SQL statements, SQL time, commit, engine
parts) and profiles a few hundred commands with cProfile. pgbench (and, for SQLite, the
raw ``sqlite3`` transaction) runs right before and right after the engine; the ratios use
the mean of the two, and every side records the CPU time other guests stole meanwhile.
SQLite runs with 1 and 2 threads and 2 processes, the raw transaction with 1 and 2
processes: the ratio at 1 client and the ratio of each side at its best client count.

    .venv/bin/python bench/bench_persisted.py [--seconds 8] [--pgbench-seconds 10]

Writes ``bench/results/persisted.json`` (and ``persisted_profile.txt``). The database
``procession_bench`` is dropped and recreated at start.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import multiprocessing
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import support

PROCESS_ID = "bench_user_task"
USER = "bench"
CLIENT_COUNTS = (1, 2, 3, 4)

# start -> user task (assigned, so no claim command) -> exclusive gateway -> script -> end:
# the shape of the in-memory "approval" benchmark, 5 BPMN steps per instance.
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="bench">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="StartEvent"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Review" name="Review" camunda:assignee="{USER}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="Decision" default="f4">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="Notify"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing><bpmn:script>notified = True</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="Approved"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Rejected"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="StartEvent" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Decision"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Decision" targetRef="Notify">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">approved == True
      </bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="Decision" targetRef="Rejected"/>
    <bpmn:sequenceFlow id="f5" sourceRef="Notify" targetRef="Approved"/>
  </bpmn:process>
</bpmn:definitions>""".encode()

START_VARIABLES = {"amount": 150, "requester": "bench"}


# ============================================================================ child side
# (runs with Django set up against one database)


def deploy() -> None:
    from django.contrib.auth.models import User

    from bpmn_engine.services import deploy_definition

    User.objects.get_or_create(username=USER)
    deploy_definition(name=PROCESS_ID, resources={f"{PROCESS_ID}.bpmn": DIAGRAM})


@functools.cache
def bench_user() -> Any:
    """The business user the tasks are assigned to (a real user: the permission policy
    checks that they may see and work on the task)."""
    from django.contrib.auth.models import User

    return User.objects.get(username=USER)


def start_one() -> int:
    from bpmn_engine.services import start_instance

    return start_instance(definition_key=PROCESS_ID, variables=START_VARIABLES).pk


def open_tasks(instance_ids: list[int]) -> list[int]:
    from bpmn_engine.models import UserTask

    return list(
        UserTask.objects.filter(instance_id__in=instance_ids, state="open")
        .order_by("id")
        .values_list("pk", flat=True)
    )


def complete_one(task_id: int) -> None:
    from bpmn_engine.services import complete_user_task

    complete_user_task(task_id=task_id, user=bench_user(), variables={"approved": True})


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def client_loop(barrier: Any, seconds: float) -> tuple[list[float], list[float], float, float]:
    """One client: start instances for ``seconds``, wait, complete the tasks it created.

    Returns the start and complete latencies (s), this client's CPU seconds (its thread)
    and its PostgreSQL backend's CPU seconds over both phases. ``barrier`` lines up the
    phases."""
    from django.db import connections

    try:
        starts: list[float] = []
        created: list[int] = []
        backend = _backend_pid()
        barrier.wait()  # phase 1: start
        client_cpu = time.thread_time()
        server_cpu = support.proc_cpu_seconds(backend) if backend else 0.0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            created.append(start_one())
            starts.append(time.perf_counter() - t0)
        tasks = open_tasks(created)
        barrier.wait()  # phase 2: complete
        completes: list[float] = []
        for task_id in tasks:
            t0 = time.perf_counter()
            complete_one(task_id)
            completes.append(time.perf_counter() - t0)
        client_cpu = time.thread_time() - client_cpu
        if backend:
            server_cpu = (support.proc_cpu_seconds(backend) or 0.0) - (server_cpu or 0.0)
        return starts, completes, client_cpu, server_cpu or 0.0
    except BaseException:
        barrier.abort()
        raise
    finally:
        connections.close_all()


def run_clients(clients: int, seconds: float, *, processes: bool = False) -> dict[str, Any]:
    """``clients`` threads (or forked processes), each with its own connection."""
    from django.db import connections

    results: list[tuple[list[float], list[float], float, float]] = []
    marks: list[float] = []
    steal = support.StealMeter()
    if processes:
        connections.close_all()  # never share a connection with a forked child
        context = multiprocessing.get_context("fork")
        barrier: Any = context.Barrier(clients + 1)
        queue = context.Queue()
        children = [
            context.Process(target=lambda: queue.put(client_loop(barrier, seconds)))
            for _ in range(clients)
        ]
        for child in children:
            child.start()
        for _ in range(2):
            barrier.wait()
            marks.append(time.perf_counter())
        results = [queue.get(timeout=600) for _ in children]
        for child in children:
            child.join()
        marks.append(time.perf_counter())
        if any(child.exitcode for child in children):
            raise RuntimeError("a client process failed")
    else:
        errors: list[BaseException] = []
        barrier = threading.Barrier(clients + 1)

        def client() -> None:
            try:
                results.append(client_loop(barrier, seconds))
            except BaseException as exc:  # re-raised below
                errors.append(exc)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        try:
            for _ in range(2):
                barrier.wait()
                marks.append(time.perf_counter())
        except threading.BrokenBarrierError:
            for thread in threads:
                thread.join()
            raise errors[0] if errors else RuntimeError("a client thread failed") from None
        for thread in threads:
            thread.join()
        marks.append(time.perf_counter())
        if errors:
            raise errors[0]
    start_latencies = [x for starts, *_ in results for x in starts]
    complete_latencies = [x for _, completes, *_ in results for x in completes]
    starts, completes = len(start_latencies), len(complete_latencies)
    start_wall, complete_wall = marks[1] - marks[0], marks[2] - marks[1]
    commands = starts + completes
    return {
        "clients": clients,
        "kind": "processes" if processes else "threads",
        "instances": starts,
        "commands": commands,
        "wall_s": round(start_wall + complete_wall, 2),
        "commands_per_s": round(commands / (start_wall + complete_wall), 1),
        "instances_per_s": round(starts / (start_wall + complete_wall), 1),
        "starts_per_s": round(starts / start_wall, 1),
        "completes_per_s": round(completes / complete_wall, 1),
        "client_cpu_ms_per_command": round(sum(r[2] for r in results) / commands * 1e3, 3),
        "server_cpu_ms_per_command": round(sum(r[3] for r in results) / commands * 1e3, 3),
        "ms_per_command_median": round(
            statistics.median(start_latencies + complete_latencies) * 1e3, 2
        ),
        "cpu_steal_share": steal.share(),
        "start": support.summary_ms(start_latencies),
        "complete": support.summary_ms(complete_latencies),
    }


class Instrument:
    """Wall time spent in named functions, in SQL statements and in COMMIT, per command."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.statements = 0
        self.statement_kinds: dict[str, int] = defaultdict(int)
        self.by_statement: dict[str, list[float]] = defaultdict(list)
        self.patched: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.totals[label] += time.perf_counter() - t0

        self.patched.append((owner, name, original))
        setattr(owner, name, timed)

    def restore(self) -> None:
        """Put the original functions back."""
        for owner, name, original in reversed(self.patched):
            setattr(owner, name, original)
        self.patched.clear()

    def sql(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - t0
            self.totals["sql_statements"] += elapsed
            self.by_statement[_shape(sql)].append(elapsed)
            self.statements += 1
            self.statement_kinds[sql.split(None, 1)[0].upper()] += 1


def breakdown(instances: int) -> dict[str, Any]:
    """Single client: where the time of one command goes (instrumented, not profiled)."""
    from django.db import connection

    from bpmn_engine.persistence import store
    from bpmn_engine.runtime.state import InstanceState
    from bpmn_engine.services import instances as instances_module
    from bpmn_engine.services import unit_of_work

    probe = Instrument()
    # Patch the names the callers look up (module globals), in this process only.
    probe.wrap(store, "lock_instance", "lock_instance (SELECT ... FOR UPDATE)")
    probe.wrap(store, "load", "load (state from JSON + model from cache)")
    probe.wrap(unit_of_work, "advance", "runtime.advance")
    probe.wrap(store, "save", "store.save (state UPDATE + token DELETE/INSERT)")
    probe.wrap(unit_of_work, "apply_effects", "apply_effects (work rows + variables)")
    probe.wrap(unit_of_work, "record_activity_history", "history INSERT")
    probe.wrap(InstanceState, "to_dict", "InstanceState.to_dict")
    probe.wrap(instances_module, "check_backlog", "check_backlog (job COUNT)")
    connection.ensure_connection()
    connection._commit = _timed_commit(connection._commit, probe)
    ids, totals_by_kind = [], {"start": 0.0, "complete": 0.0}
    statements = {"start": 0, "complete": 0}
    with connection.execute_wrapper(probe.sql):
        before = probe.statements
        t0 = time.perf_counter()
        for _ in range(instances):
            ids.append(start_one())
        totals_by_kind["start"] = time.perf_counter() - t0
        statements["start"] = probe.statements - before
    tasks = open_tasks(ids)
    with connection.execute_wrapper(probe.sql):
        before = probe.statements
        t0 = time.perf_counter()
        for task_id in tasks:
            complete_one(task_id)
        totals_by_kind["complete"] = time.perf_counter() - t0
        statements["complete"] = probe.statements - before
    del connection._commit
    probe.restore()
    commands = 2 * instances
    total = sum(totals_by_kind.values())
    parts = {
        label: round(seconds / commands * 1e3, 3)
        for label, seconds in sorted(probe.totals.items(), key=lambda item: -item[1])
    }
    return {
        "commands": commands,
        "ms_per_command": round(total / commands * 1e3, 3),
        "ms_per_start": round(totals_by_kind["start"] / instances * 1e3, 3),
        "ms_per_complete": round(totals_by_kind["complete"] / instances * 1e3, 3),
        "sql_statements_per_start": round(statements["start"] / instances, 1),
        "sql_statements_per_complete": round(statements["complete"] / instances, 1),
        "statement_kinds_per_command": {
            k: round(v / commands, 2) for k, v in sorted(probe.statement_kinds.items())
        },
        "ms_per_command_by_part": parts,
        "statements": [
            {
                "sql": sql,
                "per_command": round(len(times) / commands, 2),
                "mean_ms": round(statistics.mean(times) * 1e3, 3),
            }
            for sql, times in sorted(probe.by_statement.items(), key=lambda i: -sum(i[1]))
        ],
        "note": "parts are inclusive wall times and overlap (save contains to_dict and SQL; "
        "sql_statements is every statement's round trip, COMMIT excluded)",
        "state_snapshot_bytes": _snapshot_bytes(ids[-1]),
    }


def _shape(sql: str) -> str:
    """A statement's text without its column lists, short enough to read in a table."""
    head = re.sub(r"SELECT .*? FROM", "SELECT ... FROM", sql, count=1, flags=re.S)
    head = re.sub(r'\((?:"[a-z_]+", )+"[a-z_]+"\)', "(...)", head)
    head = re.sub(r"VALUES .*", "VALUES ...", head, flags=re.S)
    return re.sub(r"\s+", " ", head)[:200]


def _timed_commit(commit: Callable[[], Any], probe: Instrument) -> Callable[[], Any]:
    def timed() -> Any:
        t0 = time.perf_counter()
        try:
            return commit()
        finally:
            probe.totals["COMMIT"] += time.perf_counter() - t0

    return timed


def _snapshot_bytes(instance_id: int) -> dict[str, int]:
    from django.core.serializers.json import DjangoJSONEncoder

    from bpmn_engine.models import ProcessInstance

    ended = ProcessInstance.objects.get(pk=instance_id).state
    return {"at_end": len(json.dumps(ended, cls=DjangoJSONEncoder))}


def profile(instances: int, out: Path) -> dict[str, Any]:
    """cProfile ``instances`` start + complete pairs; top functions by own and total time."""
    out.parent.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    profiler.enable()
    ids = [start_one() for _ in range(instances)]
    for task_id in open_tasks(ids):
        complete_one(task_id)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    out.write_text(stream.getvalue())
    commands = 2 * instances
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in raw.values())

    def label(key: tuple[str, int, str]) -> str:
        filename, line, name = key
        short = filename.split("site-packages/")[-1].split(str(support.ROOT) + "/")[-1]
        return f"{short}:{line}({name})"

    by_own = sorted(raw.items(), key=lambda item: -item[1][2])[:12]
    return {
        "commands": commands,
        "profiled_ms_per_command": round(total / commands * 1e3, 3),
        "top_own_time": [
            {
                "function": label(k),
                "ms_per_command": round(v[2] / commands * 1e3, 3),
                "share": round(v[2] / total, 3),
            }
            for k, v in by_own
        ],
    }


def child_main(
    backend: str,
    clients: list[int],
    seconds: float,
    breakdown_instances: int,
    profile_instances: int,
    processes: bool,
) -> dict[str, Any]:
    support.setup_django({})
    from django.db import connection

    deploy()
    for _ in range(30):  # warm-up: parse cache, connection, query plans
        complete_one(open_tasks([start_one()])[0])
    from django.conf import settings

    result: dict[str, Any] = {
        "backend": backend,
        "vendor": connection.vendor,
        "debug": settings.DEBUG,  # False: production settings, no statement log
        "runs": [],
    }
    for count in clients:
        row = run_clients(count, seconds)
        print(
            f"  {backend} {count} client thread(s): {row['commands_per_s']} commands/s, "
            f"median {row['ms_per_command_median']} ms",
            flush=True,
        )
        result["runs"].append(row)
    result["process_runs"] = []
    for count in (c for c in clients if c > 1 and processes):
        row = run_clients(count, seconds, processes=True)
        print(
            f"  {backend} {count} client processes: {row['commands_per_s']} commands/s, "
            f"median {row['ms_per_command_median']} ms",
            flush=True,
        )
        result["process_runs"].append(row)
    if breakdown_instances:
        result["breakdown"] = breakdown(breakdown_instances)
    if profile_instances:
        result["profile"] = profile(
            profile_instances, support.RESULTS / f"persisted_profile_{backend}.txt"
        )
    return result


# ============================================================================ raw sqlite3

# Client processes on SQLite, for the engine and the raw transaction alike.
SQLITE_PROCESSES = (1, 2)

RAW_SQLITE_SCHEMA = """
CREATE TABLE pgb_instance (id integer PRIMARY KEY, version integer NOT NULL,
    status varchar(16) NOT NULL, state text NOT NULL);
CREATE TABLE pgb_token (id integer PRIMARY KEY AUTOINCREMENT, instance_id bigint NOT NULL
    REFERENCES pgb_instance, token_id varchar(32) NOT NULL, node_id varchar(255) NOT NULL,
    scope_id varchar(32) NOT NULL, state varchar(16) NOT NULL, UNIQUE (instance_id, token_id));
CREATE INDEX pgb_token_node ON pgb_token (node_id);
CREATE TABLE pgb_variable (id integer PRIMARY KEY AUTOINCREMENT, instance_id bigint NOT NULL
    REFERENCES pgb_instance, scope_id varchar(32) NOT NULL, name varchar(255) NOT NULL,
    type varchar(16) NOT NULL, value text, UNIQUE (instance_id, scope_id, name));
CREATE TABLE pgb_work (id integer PRIMARY KEY AUTOINCREMENT, instance_id bigint NOT NULL
    REFERENCES pgb_instance, wait_id varchar(32) NOT NULL, node_id varchar(255) NOT NULL,
    state varchar(16) NOT NULL, created_at text NOT NULL, UNIQUE (instance_id, wait_id));
CREATE TABLE pgb_history (id integer PRIMARY KEY AUTOINCREMENT, instance_id bigint NOT NULL
    REFERENCES pgb_instance, node_id varchar(255) NOT NULL, state varchar(16) NOT NULL,
    started_at text NOT NULL, ended_at text);
CREATE INDEX pgb_history_instance ON pgb_history (instance_id);
"""


def raw_transaction(db: Any, pk: int, wait: int) -> None:
    """One raw transaction: pgbench_command.sql's shape on instance ``pk``."""
    db.execute("BEGIN IMMEDIATE")
    version, state = db.execute(
        "SELECT version, state FROM pgb_instance WHERE id = ?", (pk,)
    ).fetchone()
    state = json.dumps({**json.loads(state), "version": version + 1})
    db.execute("UPDATE pgb_instance SET state = ?, version = version + 1 WHERE id = ?", (state, pk))
    db.execute("DELETE FROM pgb_token WHERE instance_id = ?", (pk,))
    db.execute(
        "INSERT INTO pgb_token (instance_id, token_id, node_id, scope_id, state) "
        "VALUES (?, 'token-1', 'Review', 'root', 'waiting'), "
        "(?, 'token-2', 'Other', 'root', 'waiting')",
        (pk, pk),
    )
    db.execute(
        "INSERT INTO pgb_variable (instance_id, scope_id, name, type, value) "
        "VALUES (?, 'root', 'approved', 'Boolean', 'true') "
        "ON CONFLICT (instance_id, scope_id, name) DO UPDATE SET value = excluded.value",
        (pk,),
    )
    db.execute(
        "INSERT OR IGNORE INTO pgb_work (instance_id, wait_id, node_id, state, created_at) "
        "VALUES (?, ?, 'Review', 'open', datetime('now'))",
        (pk, f"wait-{wait}"),
    )
    db.execute(
        "INSERT INTO pgb_history (instance_id, node_id, state, started_at, ended_at) "
        "VALUES (?, 'StartEvent', 'completed', datetime('now'), datetime('now')), "
        "(?, 'Review', 'active', datetime('now'), NULL)",
        (pk, pk),
    )
    db.execute("COMMIT")


def raw_database(path: Path, rows: int) -> Any:
    """The raw side's file database (WAL, synchronous=NORMAL, foreign keys on) with
    ``rows`` instances; returns its open connection (autocommit: statements say BEGIN)."""
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(RAW_SQLITE_SCHEMA)
    snapshot = json.dumps({"tokens": {"token-1": {"node_id": "Review"}}, "pad": "x" * 600})
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO pgb_instance VALUES (?, 0, 'active', ?)",
        ((i, snapshot) for i in range(1, rows + 1)),
    )
    db.execute("COMMIT")
    return db


def _raw_connection(path: Path) -> Any:
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _raw_loop(path: Path, seconds: float, rows: int, barrier: Any = None) -> tuple[int, float]:
    """Run the raw transaction on random instances for ``seconds``; (count, CPU s)."""
    import random

    db = _raw_connection(path)
    if barrier is not None:
        barrier.wait()
    done, deadline = 0, time.perf_counter() + seconds
    cpu = time.thread_time()
    while time.perf_counter() < deadline:
        raw_transaction(db, random.randint(1, rows), random.randint(1, 2_000_000_000))
        done += 1
    cpu = time.thread_time() - cpu
    db.close()
    return done, cpu


def raw_sqlite(
    path: Path, seconds: float, rows: int = 10_000, processes: int = 1
) -> dict[str, Any]:
    """``bench/pgbench_command.sql``'s transaction with Python's ``sqlite3`` and nothing
    else, on a file database with the engine's settings (WAL, synchronous=NORMAL,
    ``BEGIN IMMEDIATE``, a checkpoint every 1,000 WAL frames: SQLite's own automatic one
    here, the engine's commands' after they release the writer lock): the ceiling of an
    embedded command. ``processes`` > 1: that many
    forked processes on the same file, each with its own connection (SQLite's single
    writer: they take turns)."""
    raw_database(path, rows).close()
    steal = support.StealMeter()
    started = time.perf_counter()
    if processes == 1:
        done, cpu = _raw_loop(path, seconds, rows)
    else:
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(processes + 1)
        queue = context.Queue()
        children = [
            context.Process(target=lambda: queue.put(_raw_loop(path, seconds, rows, barrier)))
            for _ in range(processes)
        ]
        for child in children:
            child.start()
        barrier.wait()
        started = time.perf_counter()
        results = [queue.get(timeout=600) for _ in children]
        for child in children:
            child.join()
        done, cpu = sum(r[0] for r in results), sum(r[1] for r in results)
    wall = time.perf_counter() - started
    return {
        "processes": processes,
        "transactions": done,
        "tps": round(done / wall, 1),
        "cpu_ms_per_tx": round(cpu / done * 1e3, 3),
        "cpu_steal_share": steal.share(),
    }


# ============================================================================ orchestrator


def pgbench_pass(clients: list[int], seconds: int, label: str) -> list[dict[str, Any]]:
    print(f"pgbench on the same server, same client counts, {label}", flush=True)
    rows = []
    for count in clients:
        row = support.run_pgbench(count, seconds)
        print(f"  pgbench {count} client(s): {row['tps']} tps", flush=True)
        rows.append(row)
    return rows


def bracket(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """One comparison row from the runs before and after the engine's: every figure the
    mean of the two (the largest CPU steal), both runs kept."""
    row: dict[str, Any] = {}
    for key, first in before.items():
        second = after.get(key)
        if key == "cpu_steal_share":
            taken = [v for v in (first, second) if v is not None]
            row[key] = max(taken) if taken else None
        elif isinstance(first, float) and isinstance(second, int | float):
            row[key] = round((first + second) / 2, 3)
        else:
            row[key] = first
    row["before"], row["after"] = before, after
    return row


def run_child(
    backend: str, database_url: str, args: argparse.Namespace, clients: list[int], detail: bool
) -> dict[str, Any]:
    """Run the engine measurements in a fresh process configured for one database."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    env = {
        "SECRET_KEY": "bench-only-key-not-a-secret",
        **os.environ,
        # Production settings: DEBUG off even when the caller's environment turns it on
        # (with it on, Django records every statement and the write path takes its cursor)
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": "memory://",
    }
    command = [
        support.PY,
        __file__,
        "--child",
        backend,
        "--child-out",
        str(out),
        "--seconds",
        str(args.seconds),
        "--clients",
        ",".join(map(str, clients)),
        "--breakdown-instances",
        str(args.breakdown_instances if detail else 0),
        "--profile-instances",
        str(args.profile_instances if detail else 0),
    ]
    if args.no_processes:
        command.append("--no-processes")
    try:
        subprocess.run(command, env=env, check=True)
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=8.0,
        help="length of each start phase per client count (default 8)",
    )
    parser.add_argument("--clients", default=",".join(map(str, CLIENT_COUNTS)))
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--breakdown-instances", type=int, default=300)
    parser.add_argument("--profile-instances", type=int, default=200)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--no-processes",
        action="store_true",
        help="skip the extra runs with client processes instead of threads",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",") if c]
    if args.child:
        result = child_main(
            args.child,
            clients,
            args.seconds,
            args.breakdown_instances,
            args.profile_instances,
            not args.no_processes,
        )
        Path(args.child_out).write_text(json.dumps(result))
        return

    results: dict[str, Any] = {
        "machine": support.machine(),
        "process": PROCESS_ID,
        "steps_per_instance": 5,
        "commands_per_instance": 2,
    }
    if support.reachable(support.PG_ADMIN_URL, 5432):
        print(f"PostgreSQL: recreating {support.PG_DB} and migrating", flush=True)
        support.recreate_database()
        support.migrate(support.pg_url())
        support.prepare_pgbench()
        # pgbench right before and right after the engine's runs, its figures the mean of
        # the two: a machine that changed speed meanwhile shows as a gap between them.
        before = pgbench_pass(clients, args.pgbench_seconds, "before the engine")
        results["postgres"] = run_child("postgres", support.pg_url(), args, clients, True)
        after = pgbench_pass(clients, args.pgbench_seconds, "after the engine")
        pgbench = [bracket(b, a) for b, a in zip(before, after, strict=True)]
        results["pgbench"] = pgbench
        tps = {row["clients"]: row["tps"] for row in pgbench}
        steal = {row["clients"]: row.get("cpu_steal_share") for row in pgbench}
        pg_cpu = {
            row["clients"]: row["client_cpu_ms_per_tx"] + row["server_cpu_ms_per_tx"]
            for row in pgbench
        }
        results["ratios"] = [
            {
                "clients": run["clients"],
                "kind": run["kind"],
                "engine_commands_per_s": run["commands_per_s"],
                "pgbench_tps": tps[run["clients"]],
                "ratio": round(run["commands_per_s"] / tps[run["clients"]], 3),
                "engine_cpu_ms_per_command": round(
                    run["client_cpu_ms_per_command"] + run["server_cpu_ms_per_command"], 3
                ),
                "pgbench_cpu_ms_per_tx": round(pg_cpu[run["clients"]], 3),
                "cpu_ratio": round(
                    (run["client_cpu_ms_per_command"] + run["server_cpu_ms_per_command"])
                    / max(pg_cpu[run["clients"]], 1e-9),
                    2,
                ),
                # Shares of the machine's CPU time stolen by other guests during each
                # side: a ratio whose sides lost different shares compares unlike runs.
                "engine_cpu_steal_share": run.get("cpu_steal_share"),
                "pgbench_cpu_steal_share": steal[run["clients"]],
            }
            for run in results["postgres"]["runs"] + results["postgres"]["process_runs"]
        ]
    else:
        print("PostgreSQL unreachable: skipped the PostgreSQL part", flush=True)
        results["postgres"] = None
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="procession-bench-") as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            print("SQLite (file in a temporary directory)", flush=True)
            support.migrate(url)
            raws: dict[int, dict[str, Any]] = {}
            before = {
                n: raw_sqlite(
                    Path(folder) / f"raw-before-{n}.sqlite3", args.pgbench_seconds, processes=n
                )
                for n in SQLITE_PROCESSES
            }
            results["sqlite"] = run_child("sqlite", url, args, list(SQLITE_PROCESSES), True)
            for n in SQLITE_PROCESSES:
                after = raw_sqlite(
                    Path(folder) / f"raw-after-{n}.sqlite3", args.pgbench_seconds, processes=n
                )
                raws[n] = bracket(before[n], after)
                print(
                    f"  raw sqlite3 ({n} process(es)), same transaction shape: {raws[n]['tps']} "
                    f"tps ({before[n]['tps']} before, {after['tps']} after the engine)",
                    flush=True,
                )
            raw = raws[1]
            results["sqlite"]["raw"] = raw
            results["sqlite"]["raw_processes"] = list(raws.values())
            engine = results["sqlite"]["runs"][0]["commands_per_s"]
            results["sqlite"]["ratio"] = round(engine / raw["tps"], 3)
            # Each side at its best client count: SQLite has one writer, so the raw
            # transaction (all of it under the write lock) gains nothing from a second
            # process; the engine holds the lock only for its writes.
            engine_runs = results["sqlite"]["runs"] + results["sqlite"]["process_runs"]
            best = max(engine_runs, key=lambda r: r["commands_per_s"])
            raw_best = max(raws.values(), key=lambda r: r["tps"])
            results["sqlite"]["ratio_best"] = round(best["commands_per_s"] / raw_best["tps"], 3)
            results["sqlite"]["best"] = {
                "engine": f"{best['clients']} {best['kind']}",
                "engine_commands_per_s": best["commands_per_s"],
                "raw": f"{raw_best['processes']} process(es)",
                "raw_tps": raw_best["tps"],
            }
            print(
                f"  SQLite ratio: {results['sqlite']['ratio']} at 1 client; "
                f"{results['sqlite']['ratio_best']} each at its best "
                f"({results['sqlite']['best']})",
                flush=True,
            )
    path = support.write_result("persisted", results)
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
