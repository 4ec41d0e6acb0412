"""Job throughput end to end: instances of start -> service task -> service task -> end,
the jobs run by real Celery workers on PostgreSQL + Redis, against pgbench in the same run.

This process starts ``--instances`` instances (one ``start_instance`` command each, single
client) while ``--workers`` worker processes (``celery -A config worker --concurrency=1``;
the first also runs the embedded beat, i.e. the job sweeper and timer poller) acquire,
run and report the jobs. Timed from just before the first start to the last instance's
``ended_at``. Handlers are ``bench/handlers.py`` (no I/O).

    .venv/bin/python bench/bench_jobs.py [--instances 1000] [--workers 2]

Writes ``bench/results/jobs.json``. Drops and recreates ``procession_bench`` and flushes
Redis database 14 (``PROCESSION_BENCH_REDIS``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import support

PROCESS_ID = "bench_two_jobs"
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="bench">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:serviceTask id="First" camunda:type="external" camunda:topic="bench-first"/>
    <bpmn:serviceTask id="Second" camunda:type="external" camunda:topic="bench-second"/>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="First"/>
    <bpmn:sequenceFlow id="f2" sourceRef="First" targetRef="Second"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Second" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>""".encode()
# start_instance + (acquire_job + report_job_success) per service task
WRITE_COMMANDS_PER_INSTANCE = 5


def server_sessions(database: str = support.PG_DB) -> int:
    """Connections opened to ``database`` so far (``pg_stat_database.sessions``)."""
    return int(support.psql(f"SELECT sessions FROM pg_stat_database WHERE datname = '{database}'"))


def lock_waiters() -> int:
    """Sessions of the benchmark database waiting on a heavyweight lock right now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def measure(args: argparse.Namespace, env: dict[str, str], log_dir: Path) -> dict[str, Any]:
    """Start the workers, run the instances through, return the figures."""
    support.setup_django(env)
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from bpmn_engine.models import ActivityHistory, Job, ProcessInstance
    from bpmn_engine.services import deploy_definition, start_instance
    from config.celery import app

    deploy_definition(name=PROCESS_ID, resources={f"{PROCESS_ID}.bpmn": DIAGRAM})
    workers = [
        support.CeleryProcess(
            name=f"worker{i + 1}",
            queue=env["CELERY_TASK_DEFAULT_QUEUE"],
            env=env,
            log_dir=log_dir,
            concurrency=1,
            beat=(i == 0),
        )
        for i in range(args.workers)
    ]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_ready(app)
        connection.close()
        commits0, sessions0 = support.server_commits(), server_sessions()
        first_start = timezone.now()
        t0 = time.perf_counter()
        for n in range(args.instances):
            start_instance(definition_key=PROCESS_ID, variables={"n": n})
        started_s = time.perf_counter() - t0
        print(f"  started {args.instances} instances in {started_s:.1f} s", flush=True)
        deadline = time.monotonic() + args.timeout
        done = 0
        waiting: list[int] = []
        while time.monotonic() < deadline:
            done = ProcessInstance.objects.filter(status="completed").count()
            if done >= args.instances:
                break
            waiting.append(lock_waiters())
            time.sleep(0.25)
        connection.close()
        commits1, sessions1 = support.server_commits(), server_sessions()
    finally:
        for worker in workers:
            worker.stop()
    if done < args.instances:
        raise RuntimeError(
            f"only {done} of {args.instances} instances completed within "
            f"{args.timeout} s; worker log:\n{workers[0].read_log()}"
        )
    last_end = ProcessInstance.objects.aggregate(last=Max("ended_at"))["last"]
    elapsed = (last_end - first_start).total_seconds()
    steps = ActivityHistory.objects.count()
    jobs = Job.objects.filter(state="completed").count()
    attempts = sum(Job.objects.values_list("attempts", flat=True))
    commands = WRITE_COMMANDS_PER_INSTANCE * args.instances
    connection.close()
    return {
        "instances": args.instances,
        "workers": f"{args.workers} x celery worker --concurrency=1 --pool=prefork "
        "(the first with -B: embedded beat running the job sweeper every 2 s "
        "and the timer poller every 1 s); this process starts the instances",
        # the effective values (settings defaults unless overridden in the environment)
        "database_conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "celery_db_reuse_max": getattr(settings, "CELERY_DB_REUSE_MAX", None),
        "steps_per_instance": round(steps / args.instances, 2),
        "jobs_completed": jobs,
        "job_attempts": attempts,
        "start_phase_s": round(started_s, 2),
        "elapsed_s": round(elapsed, 2),
        "instances_per_s": round(args.instances / elapsed, 1),
        "steps_per_s": round(steps / elapsed, 1),
        "jobs_per_s": round(jobs / elapsed, 1),
        "write_commands_per_s": round(commands / elapsed, 1),
        "server_commits": commits1 - commits0,
        "server_commits_per_s": round((commits1 - commits0) / elapsed, 1),
        "server_commits_per_instance": round((commits1 - commits0) / args.instances, 1),
        "lock_wait_samples": len(waiting),
        "samples_with_a_lock_waiter": round(sum(1 for w in waiting if w) / max(len(waiting), 1), 3),
        "mean_lock_waiters": round(sum(waiting) / max(len(waiting), 1), 2),
        "connections_opened": sessions1 - sessions0,
        "connections_opened_per_job": round((sessions1 - sessions0) / max(jobs, 1), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--pgbench-clients", type=int, default=2)
    parser.add_argument(
        "--timeout",
        type=float,
        default=420.0,
        help="give up when the instances are not done after this many s",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="DATABASE_CONN_MAX_AGE for every process (default: unset, i.e. the settings default)",
    )
    args = parser.parse_args()
    if not (
        support.reachable(support.PG_ADMIN_URL, 5432) and support.reachable(support.REDIS_URL, 6379)
    ):
        print("PostgreSQL or Redis unreachable: skipped the jobs benchmark")
        support.write_result("jobs", {"skipped": "PostgreSQL or Redis unreachable"})
        return
    print(
        f"jobs: recreating {support.PG_DB}, {args.instances} instances, {args.workers} workers",
        flush=True,
    )
    support.recreate_database()
    support.migrate(support.pg_url())
    support.flush_redis()
    env = {
        "DATABASE_URL": support.pg_url(),
        "CELERY_BROKER_URL": support.REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
        "PROCESSION_HANDLER_MODULES": "bench.handlers",
        "LOG_LEVEL": "WARNING",
    }
    if args.conn_max_age is not None:
        env["DATABASE_CONN_MAX_AGE"] = str(args.conn_max_age)
    machine = support.machine()
    with tempfile.TemporaryDirectory(prefix="procession-bench-jobs-") as folder:
        engine = measure(args, env, Path(folder))
    print(
        f"  {engine['instances_per_s']} instances/s, {engine['steps_per_s']} steps/s, "
        f"{engine['write_commands_per_s']} write commands/s",
        flush=True,
    )
    support.prepare_pgbench()
    pgbench = support.run_pgbench(args.pgbench_clients, args.pgbench_seconds)
    print(f"  pgbench {args.pgbench_clients} clients: {pgbench['tps']} tps", flush=True)
    result = {
        "machine": machine,
        "engine": engine,
        "pgbench": pgbench,
        "ratios": {
            "write_commands_per_s_over_pgbench_tps": round(
                engine["write_commands_per_s"] / pgbench["tps"], 3
            ),
            "server_commits_per_s_over_pgbench_tps": round(
                engine["server_commits_per_s"] / pgbench["tps"], 3
            ),
            "instances_per_s_over_pgbench_tps": round(
                engine["instances_per_s"] / pgbench["tps"], 4
            ),
        },
    }
    path = support.write_result("jobs", result)
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
