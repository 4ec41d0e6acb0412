"""Per-command latency as the database grows: 0, 100k and 1M stored instances.

The engine makes two template instances of the persisted benchmark's approval process
(one completed, one waiting at its user task); ``bulk_load.clone_instances`` copies their
rows server-side until the instance table holds the next size (9 completed copies to 1
waiting, like a system whose history is mostly finished work). At each size, after
``ANALYZE``, one client runs ``--rounds`` start + complete pairs through the services and
keeps every latency. Flat means: the median and p95 at 1M within noise of those at 0.

    .venv/bin/python bench/bench_curves.py [--sizes 0,100000,1000000] [--rounds 300]

Writes ``bench/results/curves.json``. Drops and recreates ``procession_bench``
(``PROCESSION_BENCH_DB``). Filling 1M instances writes ~20M rows: expect several
minutes and a few GB of disk.
"""

from __future__ import annotations

import argparse
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
        cursor.execute("ANALYZE")
    return time.perf_counter() - t0


def measure(rounds: int, user: Any) -> dict[str, Any]:
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
    return {"start": support.summary_ms(starts), "complete": support.summary_ms(completes)}


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
    args = parser.parse_args()
    if not support.reachable(support.PG_ADMIN_URL, 5432):
        print("PostgreSQL unreachable: skipped the curves benchmark")
        support.write_result("curves", {"skipped": "PostgreSQL unreachable"})
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"curves: recreating {support.PG_DB}; sizes {sizes}", flush=True)
    support.recreate_database()
    support.migrate(support.pg_url())
    support.setup_django({"DATABASE_URL": support.pg_url(), "CELERY_BROKER_URL": "memory://"})
    from bpmn_engine.models import ProcessInstance

    result: dict[str, Any] = {"machine": support.machine(), "rounds": args.rounds, "sizes": []}
    shapes.deploy()
    user = assignee()
    done, waiting = templates(user)
    measure(20, user)  # warm-up: caches, prepared connections
    for size in sizes:
        fill_s = grow_to(size, done, waiting)
        stored = ProcessInstance.objects.count()
        figures = measure(args.rounds, user)
        row = {
            "target": size,
            "stored_instances": stored,
            "fill_s": round(fill_s, 1),
            **figures,
            "largest_tables": table_sizes(),
        }
        result["sizes"].append(row)
        print(
            f"  {stored:,} instances: start median {figures['start']['median_ms']} ms "
            f"(p95 {figures['start']['p95_ms']}), complete median "
            f"{figures['complete']['median_ms']} ms (p95 {figures['complete']['p95_ms']})",
            flush=True,
        )
    path = support.write_result("curves", result)
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
