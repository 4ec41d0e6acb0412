"""Instance size: the cost of completing one user task of an instance holding 1, 100, 1k
and 10k tokens, on PostgreSQL and SQLite, measured side by side in one run.

The process is a parallel multi-instance user task (``loopCardinality = n``): the body
token plus ``n`` instance tokens, each waiting at its own user task. ``10k`` is
``n = 9,999``, i.e. 10,000 tokens, the default per-instance limit. For each size the
bench starts instances (setup, not timed; the start may take a while at 10k), then times
``complete_user_task`` on ``--completions`` tasks one after the other (the last task of a
1-token instance ends it; at the larger sizes each completion moves one token of a
still-running body). Also counted per completion: SQL statements, and how many of them
write (``UPDATE``/``INSERT``/``DELETE``). The completions run in one process, so a split
state comes from the process's cache of committed states; five more completions per size
empty that cache first (``cache_miss``: what a command costs when another process wrote
the instance last). Last, ``--completions`` more tasks of the largest instance are
completed in turn with the tasks of as many new 1-token instances (``interleaved``): both
sizes against the same database contents, the 10k instance's rows included, and the same
moment's load (the first pass measures the 1-token size first, on a smaller database).

    .venv/bin/python bench/bench_instance_size.py [--completions 20] [--sizes 1,100,1000,9999]
        [--profile 9999]

Writes ``bench/results/instance_size.json`` (and ``instance_size_profile.txt`` with a
cProfile of completions at the ``--profile`` size). The PostgreSQL database
(``PROCESSION_BENCH_DB``, default ``procession_bench``) is dropped and recreated at start.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import support

SIZES = (1, 100, 1000, 9999)
PROCESS_ID = "bench_instance_size"
USER = "bench"

DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="bench">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="StartEvent"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Review" name="Review" camunda:assignee="{USER}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="false">
        <bpmn:loopCardinality>${{n}}</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="StartEvent" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


# ============================================================================ child side


def _complete(task_id: int) -> tuple[float, int, int]:
    """Complete one task; (seconds, SQL statements, write statements)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bpmn_engine.services import complete_user_task

    user, _ = get_user_model().objects.get_or_create(username=USER)
    connection.queries_log.clear()  # a 10k start fills the log; counts start afresh
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        complete_user_task(task_id=task_id, user=user, variables={"ok": True})
        elapsed = time.perf_counter() - began
    writes = sum(
        1
        for q in queries.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("UPDATE", "INSERT", "DELETE")
    )
    return elapsed, len(queries.captured_queries), writes


def _tasks_for(size: int, count: int) -> list[int]:
    """``count`` open task ids: of one instance of ``size`` tokens, or (size 1) of
    ``count`` instances."""
    from bpmn_engine.models import UserTask
    from bpmn_engine.services import start_instance

    instances = count if size == 1 else 1
    ids = [
        start_instance(definition_key=PROCESS_ID, variables={"n": size}).pk
        for _ in range(instances)
    ]
    return list(
        UserTask.objects.filter(instance_id__in=ids, state="open")
        .order_by("id")
        .values_list("pk", flat=True)[:count]
    )


def _clear_state_cache() -> bool:
    """Empty this process's cache of committed split states; False when the engine has
    none (an engine from before the split storage)."""
    try:
        from bpmn_engine.persistence.state_parts import CACHE
    except ImportError:
        return False
    CACHE.clear()
    return True


def _row(size: int, measured: list[tuple[float, int, int]]) -> dict[str, Any]:
    seconds = [m[0] for m in measured]
    return {
        **support.summary_ms(seconds),
        "mean_ms": round(statistics.fmean(seconds) * 1e3, 2),
        "statements": max(m[1] for m in measured),
        "write_statements": max(m[2] for m in measured),
    }


def child_main(sizes: list[int], completions: int, profile_size: int) -> dict[str, Any]:
    from bpmn_engine.services import deploy_definition

    deploy_definition(name=PROCESS_ID, resources={f"{PROCESS_ID}.bpmn": DIAGRAM})
    _complete(_tasks_for(1, 1)[0])  # warm caches (definition, connection)
    rows: list[dict[str, Any]] = []
    profile_text = ""
    cold_count = 5
    spare: list[int] = []
    for size in sizes:
        profiled = 5 if size == profile_size else 0
        extra = completions if size == max(sizes) and size > 1 else 0
        began = time.perf_counter()
        tasks = _tasks_for(size, completions + cold_count + profiled + extra)
        spare = tasks[len(tasks) - extra :] if extra else spare
        start_s = time.perf_counter() - began
        warm = [_complete(task) for task in tasks[:completions]]
        row = {
            "tokens": size + (1 if size > 1 else 0),
            "cardinality": size,
            "start_s": round(start_s, 2),
            **_row(size, warm),
        }
        cold = []
        for task in tasks[completions : completions + cold_count]:
            if not _clear_state_cache():
                break
            cold.append(_complete(task))
        if cold:
            row["cache_miss"] = _row(size, cold)
        print(f"    {json.dumps(row)}", flush=True)
        rows.append(row)
        if profiled:
            profiler = cProfile.Profile()
            for task in tasks[completions + cold_count : completions + cold_count + profiled]:
                profiler.enable()
                _complete(task)
                profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
            profile_text = text.getvalue()
    base = rows[0]["median_ms"]
    for row in rows:
        row["ratio_to_1"] = round(row["median_ms"] / base, 2)
        if "cache_miss" in row:
            row["cache_miss"]["ratio_to_1"] = round(row["cache_miss"]["median_ms"] / base, 2)
    result: dict[str, Any] = {"rows": rows, "profile": profile_text}
    if spare:
        one, large = [], []
        for small_task, large_task in zip(_tasks_for(1, len(spare)), spare, strict=True):
            one.append(_complete(small_task))
            large.append(_complete(large_task))
        result["interleaved"] = {
            "tokens": max(sizes) + 1,
            "one": _row(1, one),
            "large": _row(max(sizes), large),
        }
        result["interleaved"]["ratio"] = round(
            result["interleaved"]["large"]["median_ms"] / result["interleaved"]["one"]["median_ms"],
            2,
        )
        print(f"    interleaved: {json.dumps(result['interleaved'])}", flush=True)
    return result


# ============================================================================ parent side


def run_child(name: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
        # a 10k start runs 10k steps in one command; give the setup room
        "PROCESSION_COMMAND_MAX_SECONDS": "600",
    }
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run(
            [
                support.PY,
                __file__,
                "--child",
                name,
                "--child-out",
                str(out),
                "--sizes",
                args.sizes,
                "--completions",
                str(args.completions),
                "--profile",
                str(args.profile),
            ],
            env=env,
            check=True,
        )
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--completions", type=int, default=20)
    parser.add_argument("--profile", type=int, default=SIZES[-1])
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.child:
        support.setup_django({})
        result = child_main(sizes, args.completions, args.profile)
        Path(args.child_out).write_text(json.dumps(result))
        return

    results: dict[str, Any] = {"machine": support.machine(), "process": PROCESS_ID}
    profiles: list[str] = []
    if not args.skip_postgres and support.reachable(support.PG_ADMIN_URL, 5432):
        print(f"PostgreSQL: recreating {support.PG_DB} and migrating", flush=True)
        support.recreate_database()
        support.migrate(support.pg_url())
        results["postgres"] = run_child("postgres", support.pg_url(), args)
        profiles.append("== PostgreSQL\n" + results["postgres"].pop("profile"))
    else:
        results["postgres"] = None
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="procession-bench-") as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            print("SQLite (file in a temporary directory)", flush=True)
            support.migrate(url)
            results["sqlite"] = run_child("sqlite", url, args)
            profiles.append("== SQLite\n" + results["sqlite"].pop("profile"))
    path = support.write_result("instance_size", results)
    (support.RESULTS / "instance_size_profile.txt").write_text("\n".join(profiles))
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    main()
