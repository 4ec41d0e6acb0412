"""Job throughput end to end: instances of start -> service task -> service task -> end,
the jobs run by real Celery workers on PostgreSQL + Redis, against pgbench in the same run.

For each worker count in ``--workers`` (1, 2, 4), worker processes (``celery -A config
worker --concurrency=1``; the first also runs the embedded beat, i.e. the job sweeper and
timer poller) are started and their consumers paused. Then, side by side:

* the **no-op ceiling**: ``2 x --instances`` trivial ``bench.noop`` tasks are queued,
  the consumers resumed, and the time until every one ran is taken;
* the **jobs**: ``--instances`` instances are started (their job messages queue up), the
  consumers resumed, and the time until every instance ended is taken.

Jobs/s divided by no-op tasks/s is the share of Celery's own ceiling the engine reaches.
CPU seconds of the workers and of the benchmark database's PostgreSQL backends are read
from ``/proc`` around each drain, and pgbench runs with as many clients as workers.
Handlers are ``bench/handlers.py`` (no I/O). Every process runs with production settings
(``DEBUG`` off).

    .venv/bin/python bench/bench_jobs.py [--instances 1000] [--workers 1,2,4]

Writes ``bench/results/jobs.json``. Drops and recreates ``procession_bench`` and flushes
Redis database 14 (``PROCESSION_BENCH_REDIS``).
"""

from __future__ import annotations

import argparse
import os
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


def paused(app: Any, workers: list[support.CeleryProcess], queue: str, on: bool) -> None:
    """Stop (or resume) every worker consuming ``queue``: messages wait in the broker."""
    hosts = [w.hostname for w in workers]
    if on:
        app.control.add_consumer(queue, destination=hosts, reply=True, timeout=5)
    else:
        app.control.cancel_consumer(queue, destination=hosts, reply=True, timeout=5)


def drain(
    app: Any,
    workers: list[support.CeleryProcess],
    queue: str,
    target: int,
    done: Any,
    timeout: float,
) -> tuple[float, dict[str, float], list[int]]:
    """Let the workers at a queue of ``target`` waiting messages; seconds until ``done()``
    reaches ``target``, the CPU it cost, and lock-waiter samples."""
    meter = support.CpuMeter([w.process.pid for w in workers if w.process])
    meter.start()
    t0 = time.perf_counter()
    paused(app, workers, queue, on=True)
    deadline = time.monotonic() + timeout
    waiting: list[int] = []
    while done() < target:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done()} of {target} done in {timeout} s")
        waiting.append(lock_waiters())
        time.sleep(0.1)
    elapsed = time.perf_counter() - t0
    return elapsed, meter.stop(), waiting


def measure(
    args: argparse.Namespace, env: dict[str, str], log_dir: Path, count: int
) -> dict[str, Any]:
    """With ``count`` workers: the no-op ceiling, then the jobs, each drained from a full
    queue; returns the figures."""
    support.setup_django(env)
    import redis
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from bpmn_engine.jobs.dispatch import publisher
    from bpmn_engine.models import Job, ProcessInstance
    from bpmn_engine.services import start_instance
    from config.celery import app

    queue = env["CELERY_TASK_DEFAULT_QUEUE"]
    workers = [
        support.CeleryProcess(
            name=f"worker{i + 1}-of-{count}",
            queue=queue,
            env=env,
            log_dir=log_dir,
            concurrency=1,
            beat=(i == 0),
        )
        for i in range(count)
    ]
    messages = 2 * args.instances  # as many as the jobs
    counter = redis.Redis.from_url(support.REDIS_URL)
    key = f"bench-noop-{uuid.uuid4().hex[:8]}"
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_ready(app)
        # the no-op ceiling: the same number of messages through the same workers
        paused(app, workers, queue, on=False)
        for _ in range(messages):
            app.send_task("bench.noop", args=(key,), queue=queue)
        noop_s, noop_cpu, _ = drain(
            app, workers, queue, messages, lambda: int(counter.get(key) or 0), args.timeout
        )
        # the jobs: start the instances while nobody consumes, then let the workers at them
        paused(app, workers, queue, on=False)
        before = ProcessInstance.objects.aggregate(last=Max("pk"))["last"] or 0
        t0 = time.perf_counter()
        for n in range(args.instances):
            start_instance(definition_key=PROCESS_ID, variables={"n": n})
        started_s = time.perf_counter() - t0
        publisher.drain(60)
        job_messages = int(counter.llen(queue))  # several job ids may share a message
        ours = ProcessInstance.objects.filter(pk__gt=before)
        connection.close()
        commits0, sessions0 = support.server_commits(), server_sessions()
        jobs_s, jobs_cpu, waiting = drain(
            app,
            workers,
            queue,
            args.instances,
            lambda: ours.filter(status="completed").count(),
            args.timeout,
        )
        connection.close()
        commits1, sessions1 = support.server_commits(), server_sessions()
    finally:
        for worker in workers:
            worker.stop()
    jobs = Job.objects.filter(instance__in=ours, state="completed").count()
    attempts = sum(Job.objects.filter(instance__in=ours).values_list("attempts", flat=True))
    connection.close()
    return {
        "workers": count,
        "instances": args.instances,
        "setup": f"{count} x celery worker --concurrency=1 --pool=prefork (the first with -B: "
        "embedded beat, job sweeper every 2 s, timer poller every 1 s); messages queued "
        "while the workers' consumers were paused, then drained",
        "debug": settings.DEBUG,  # False: production settings, no statement log
        "database_conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "celery_db_reuse_max": getattr(settings, "CELERY_DB_REUSE_MAX", None),
        "noop_tasks": messages,
        "noop_drain_s": round(noop_s, 2),
        "noop_tasks_per_s": round(messages / noop_s, 1),
        "noop_cpu": noop_cpu,
        "start_phase_s": round(started_s, 2),
        "job_batch_size": settings.PROCESSION_JOB_BATCH_SIZE,
        "job_messages_queued": job_messages,
        "jobs_completed": jobs,
        "job_attempts": attempts,
        "jobs_drain_s": round(jobs_s, 2),
        "jobs_per_s": round(jobs / jobs_s, 1),
        "instances_per_s": round(args.instances / jobs_s, 1),
        "jobs_over_noop": round((jobs / jobs_s) / (messages / noop_s), 3),
        "jobs_cpu": jobs_cpu,
        "cpu_ms_per_job": {
            "postgres": round(jobs_cpu["postgres_backends_cpu_s"] / max(jobs, 1) * 1e3, 2),
            "workers": round(jobs_cpu["workers_cpu_s"] / max(jobs, 1) * 1e3, 2),
        },
        "server_commits_per_job": round((commits1 - commits0) / max(jobs, 1), 2),
        "samples_with_a_lock_waiter": round(sum(1 for w in waiting if w) / max(len(waiting), 1), 3),
        "connections_opened": sessions1 - sessions0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument(
        "--workers", default="1,2,4", help="worker process counts, one round each (1,2,4)"
    )
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument(
        "--timeout",
        type=float,
        default=420.0,
        help="give up when a drain is not done after this many s",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="DATABASE_CONN_MAX_AGE for every process (default: unset, i.e. the settings default)",
    )
    args = parser.parse_args()
    counts = [int(c) for c in str(args.workers).split(",")]
    if not (
        support.reachable(support.PG_ADMIN_URL, 5432) and support.reachable(support.REDIS_URL, 6379)
    ):
        print("PostgreSQL or Redis unreachable: skipped the jobs benchmark")
        support.write_result("jobs", {"skipped": "PostgreSQL or Redis unreachable"})
        return
    print(
        f"jobs: recreating {support.PG_DB}, {args.instances} instances, workers {counts}",
        flush=True,
    )
    support.recreate_database()
    support.migrate(support.pg_url())
    support.flush_redis()
    env = {
        # Production settings, as in bench_persisted: with DEBUG on, Django records every
        # statement and the write path takes Django's cursor (no prepared statements).
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-key-not-a-secret",
        "DATABASE_URL": support.pg_url(),
        "CELERY_BROKER_URL": support.REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
        "PROCESSION_HANDLER_MODULES": "bench.handlers",
        # the messages wait on purpose while the instances start: no re-sends meanwhile
        "PROCESSION_JOB_REDISPATCH_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
    }
    if args.conn_max_age is not None:
        env["DATABASE_CONN_MAX_AGE"] = str(args.conn_max_age)
    machine = support.machine()
    support.setup_django(env)
    from bpmn_engine.services import deploy_definition

    deploy_definition(name=PROCESS_ID, resources={f"{PROCESS_ID}.bpmn": DIAGRAM})
    rounds = []
    with tempfile.TemporaryDirectory(prefix="procession-bench-jobs-") as folder:
        for count in counts:
            row = measure(args, env, Path(folder), count)
            rounds.append(row)
            print(
                f"  {count} worker(s): no-op {row['noop_tasks_per_s']} tasks/s, jobs "
                f"{row['jobs_per_s']} jobs/s ({row['instances_per_s']} instances/s), "
                f"ratio {row['jobs_over_noop']}; {row['job_messages_queued']} messages for "
                f"{args.instances} first jobs; CPU ms per job: postgres "
                f"{row['cpu_ms_per_job']['postgres']}, workers {row['cpu_ms_per_job']['workers']}",
                flush=True,
            )
    support.prepare_pgbench()
    for row in rounds:
        row["pgbench"] = support.run_pgbench(row["workers"], args.pgbench_seconds)
        row["jobs_per_s_over_pgbench_tps"] = round(row["jobs_per_s"] / row["pgbench"]["tps"], 3)
        print(f"  pgbench {row['workers']} clients: {row['pgbench']['tps']} tps", flush=True)
    path = support.write_result("jobs", {"machine": machine, "rounds": rounds})
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
