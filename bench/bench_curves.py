"""Per-command latency as the database grows: 0, 100k and 1M stored instances.

The engine makes two template instances of the persisted benchmark's approval process
(one completed, one waiting at its user task); ``bulk_load.clone_instances`` copies their
rows server-side until the instance table holds the next size (9 completed copies to 1
waiting, like a system whose history is mostly finished work). At each size, after
``ANALYZE``, one client runs ``--rounds`` start + complete pairs through the services and
keeps every latency. Flat means: the median and p95 at 1M within noise of those at 0.

The machine may be shared, so a latency alone does not compare across points. Each point
is measured in ``--slices`` slices, and pgbench (``bench/pgbench_command.sql``, one client,
as in ``bench_persisted.py``, on its own small tables in the same database) runs for
``--pgbench-seconds`` before every slice and after the last: every slice's engine latency
is also given as a ratio to pgbench's mean latency in the runs on either side of it, with
the 1-minute load average at each slice. After each fill, ``VACUUM ANALYZE`` (what
autovacuum would have done to a table that old; it keeps autovacuum from starting on the
copied rows during the measurement). A short probe times every SQL statement of 30 more
pairs (``connection.execute_wrapper``) to say which statement, if any, grows.

    .venv/bin/python bench/bench_curves.py [--sizes 0,100000,1000000] [--rounds 300]
        [--slices 3] [--pgbench-seconds 4] [--reuse] [--out curves]

``--reuse`` measures the database as a previous run left it (no drop, no fill): run it
on the filled database and on a fresh ``--sizes 0`` one in turn, and the two sizes are
compared under the same load.

Writes ``bench/results/curves.json``. Drops and recreates ``procession_bench``
(``PROCESSION_BENCH_DB``). Filling 1M instances writes ~20M rows: expect several
minutes and a few GB of disk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

import bench_persisted as shapes
import bulk_load
import support


def assignee() -> Any:
    """The user the diagram assigns the task to (commands take a user, not a name)."""
    from django.contrib.auth.models import User

    return User.objects.get_or_create(username=shapes.USER)[0]


def complete(task_id: int, user: Any) -> None:
    from bpmn_engine.services import complete_user_task

    complete_user_task(task_id=task_id, user=user, variables={"approved": True})


def templates(user: Any) -> list[int]:
    """One completed and one waiting instance, made by the engine."""
    done = shapes.start_one()
    complete(shapes.open_tasks([done])[0], user)
    waiting = shapes.start_one()
    return [done, waiting]


def grow_to(size: int, done: int, waiting: int) -> float:
    from bpmn_engine.models import ProcessInstance

    t0 = time.perf_counter()
    missing = size - ProcessInstance.objects.count()
    while missing > 0:
        n = min(missing, 100_000)
        waiting_copies = n // 10
        bulk_load.clone_instances(done, n - waiting_copies)
        if waiting_copies:
            bulk_load.clone_instances(waiting, waiting_copies)
        missing -= n
        print(f"    {size - missing:,} instances ({time.perf_counter() - t0:.0f} s)", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


def pairs(rounds: int, user: Any) -> tuple[list[float], list[float]]:
    """``rounds`` start + complete pairs; the latency of every command, in seconds."""
    starts: list[float] = []
    completes: list[float] = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        pk = shapes.start_one()
        starts.append(time.perf_counter() - t0)
        task = shapes.open_tasks([pk])[0]
        t0 = time.perf_counter()
        complete(task, user)
        completes.append(time.perf_counter() - t0)
    return starts, completes


def pgbench_latency(seconds: int) -> dict[str, Any]:
    """pgbench's command-shaped transaction, one client, for ``seconds``; with the load."""
    row = support.run_pgbench(1, seconds)
    latency = row["latency_ms"] or (1e3 / row["tps"] if row["tps"] else None)
    return {
        "tps": row["tps"],
        "latency_ms": round(latency, 3) if latency else None,
        "load_1min": round(os.getloadavg()[0], 2),
    }


def _ratio(engine_ms: float, pgbench_ms: float | None) -> float | None:
    return round(engine_ms / pgbench_ms, 2) if pgbench_ms else None


def measure(rounds: int, user: Any, slices: int, pgbench_seconds: int) -> dict[str, Any]:
    """The point's latencies, in ``slices`` slices with pgbench before, between and after."""
    starts: list[float] = []
    completes: list[float] = []
    bench_runs = [pgbench_latency(pgbench_seconds)] if pgbench_seconds else []
    per_slice = []
    for index in range(slices):
        load = round(os.getloadavg()[0], 2)
        slice_starts, slice_completes = pairs(max(1, rounds // slices), user)
        starts += slice_starts
        completes += slice_completes
        row: dict[str, Any] = {
            "load_1min": load,
            "start_median_ms": support.summary_ms(slice_starts)["median_ms"],
            "complete_median_ms": support.summary_ms(slice_completes)["median_ms"],
        }
        if pgbench_seconds:
            bench_runs.append(pgbench_latency(pgbench_seconds))
            around = [r["latency_ms"] for r in bench_runs[index : index + 2] if r["latency_ms"]]
            pg_ms = statistics.mean(around) if around else None
            row["pgbench_latency_ms"] = round(pg_ms, 3) if pg_ms else None
            row["start_ratio"] = _ratio(row["start_median_ms"], pg_ms)
            row["complete_ratio"] = _ratio(row["complete_median_ms"], pg_ms)
        per_slice.append(row)
    figures: dict[str, Any] = {
        "start": support.summary_ms(starts),
        "complete": support.summary_ms(completes),
        "slices": per_slice,
        "pgbench": bench_runs,
    }
    if pgbench_seconds:
        pg_ms = statistics.median(r["latency_ms"] for r in bench_runs if r["latency_ms"])
        figures["pgbench_latency_ms"] = round(pg_ms, 3)
        figures["start_ratio"] = _ratio(figures["start"]["median_ms"], pg_ms)
        figures["complete_ratio"] = _ratio(figures["complete"]["median_ms"], pg_ms)
    figures["load_1min"] = [r["load_1min"] for r in per_slice]
    return figures


def statement_probe(rounds: int, user: Any) -> list[dict[str, Any]]:
    """Mean time of every SQL statement shape over ``rounds`` more pairs, dearest first."""
    from django.db import connection

    probe = shapes.Instrument()
    with connection.execute_wrapper(probe.sql):
        pairs(rounds, user)
    return [
        {
            "sql": sql[:120],
            "per_pair": round(len(times) / rounds, 2),
            "mean_ms": round(statistics.mean(times) * 1e3, 3),
        }
        for sql, times in sorted(probe.by_statement.items(), key=lambda i: -sum(i[1]))[:8]
    ]


def table_sizes() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables "
            "WHERE relname LIKE 'bpmn_engine_%%' ORDER BY 3 DESC LIMIT 6"
        )
        return {name: {"rows": rows, "mb": round(size / 2**20, 1)} for name, rows, size in cursor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,100000,1000000", help="instance counts")
    parser.add_argument("--rounds", type=int, default=300, help="start+complete pairs per size")
    parser.add_argument("--slices", type=int, default=3, help="slices per size, pgbench between")
    parser.add_argument(
        "--pgbench-seconds", type=int, default=4, help="each pgbench run beside a slice (0: none)"
    )
    parser.add_argument("--probe-rounds", type=int, default=30, help="pairs with SQL timed")
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is")
    parser.add_argument("--out", default="curves", help="bench/results/<out>.json")
    args = parser.parse_args()
    if not support.reachable(support.PG_ADMIN_URL, 5432):
        print("PostgreSQL unreachable: skipped the curves benchmark")
        support.write_result("curves", {"skipped": "PostgreSQL unreachable"})
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.reuse:
        print(f"curves: measuring {support.PG_DB} as it is", flush=True)
        sizes = [0]
        if args.pgbench_seconds and not support.psql(
            "SELECT to_regclass('pgb_instance')", support.PG_DB
        ):
            support.prepare_pgbench()
    else:
        print(f"curves: recreating {support.PG_DB}; sizes {sizes}", flush=True)
        support.recreate_database()
        support.migrate(support.pg_url())
        if args.pgbench_seconds:
            support.prepare_pgbench()
    support.setup_django({"DATABASE_URL": support.pg_url(), "CELERY_BROKER_URL": "memory://"})
    from bpmn_engine.models import ProcessInstance

    result: dict[str, Any] = {
        "machine": support.machine(),
        "rounds": args.rounds,
        "slices": args.slices,
        "pgbench_seconds": args.pgbench_seconds,
        "reused": args.reuse,
        "sizes": [],
    }
    shapes.deploy()
    user = assignee()
    done, waiting = (0, 0) if args.reuse else templates(user)
    pairs(20, user)  # warm-up: caches, prepared connections
    for size in sizes:
        fill_s = 0.0 if args.reuse else grow_to(size, done, waiting)
        stored = ProcessInstance.objects.count()
        figures = measure(args.rounds, user, args.slices, args.pgbench_seconds)
        row = {
            "target": size,
            "stored_instances": stored,
            "fill_s": round(fill_s, 1),
            **figures,
            "statements": statement_probe(args.probe_rounds, user) if args.probe_rounds else [],
            "largest_tables": table_sizes(),
        }
        result["sizes"].append(row)
        print(
            f"  {stored:,} instances: start median {figures['start']['median_ms']} ms "
            f"(p95 {figures['start']['p95_ms']}), complete median "
            f"{figures['complete']['median_ms']} ms (p95 {figures['complete']['p95_ms']}); "
            f"ratio to pgbench start {figures.get('start_ratio')}, complete "
            f"{figures.get('complete_ratio')} (pgbench {figures.get('pgbench_latency_ms')} ms); "
            f"load {figures['load_1min']}",
            flush=True,
        )
    path = support.write_result(args.out, result)
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
