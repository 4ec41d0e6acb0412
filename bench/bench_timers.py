"""Timer lateness and throughput on PostgreSQL: instances of start -> PT1S timer -> end.

Three phases, each on its own instances:

* ``burst``: start ``--burst`` instances with no poller running, wait until every timer is
  due, then drain them with ``fire_due_timers()`` (one claim query per 100 timers, one
  command per timer): timers fired per second.
* ``poller``: a thread calls ``fire_due_timers()`` every ``--poll`` seconds (0.1) while
  instances are started at ``--rate`` per second for ``--seconds``: lateness
  (fire time - due time) p50/p95/max.
* ``fleet``: for each count in ``--fleet`` (1,000 and 10,000), that many instances
  waiting on a timer (one engine-made, the rest bulk-copied) with every timer due at the
  same instant, fired by ``--fleet-workers`` (2) real Celery workers: time until the
  last one fired, lateness p50/p95/max, the workers' and PostgreSQL's CPU per timer
  (``/proc``) and how many fired in each half second after the due time.
* ``drain``: ``--drain`` instances waiting on a timer (one engine-made, the rest
  bulk-copied), every timer due now, drained by one in-process ``fire_due_timers()``:
  CPU per timer of the poller (this process) and of its PostgreSQL backend (``/proc``),
  statements per timer. CPU is the figure that holds still on a loaded machine.
* ``beat``: the same load, fired by a real Celery worker with embedded beat
  (``procession.fire_due_timers`` every ``PROCESSION_TIMER_POLL_SECONDS``, default 1 s)
  on Redis: the lateness a default deployment shows.

Every process runs with production settings (``DEBUG`` off). Fire time is the
instance's ``ended_at`` (the timer leads straight to the end event), which
is the firing command's clock reading. Writes ``bench/results/timers.json``.

    .venv/bin/python bench/bench_timers.py [--burst 500] [--rate 20] [--seconds 10]
        [--fleet 1000,10000] [--fleet-workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import support

PROCESS_ID = "bench_timer"
FLEET_PROCESS_ID = "bench_timer_fleet"
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="D" targetNamespace="bench">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:intermediateCatchEvent id="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def start_paced(rate: float, seconds: float) -> list[int]:
    """Start ``rate`` instances per second for ``seconds``; returns their ids."""
    from bpmn_engine.services import start_instance

    ids: list[int] = []
    t0 = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        ids.append(start_instance(definition_key=PROCESS_ID).pk)
    return ids


def lateness(ids: list[int], timeout: float) -> dict[str, Any]:
    """Wait for the instances to end; fire time - due time of their timers."""
    from bpmn_engine.models import ProcessInstance, Timer

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ProcessInstance.objects.filter(pk__in=ids, status="completed").count() == len(ids):
            break
        time.sleep(0.2)
    ended = dict(
        ProcessInstance.objects.filter(pk__in=ids, status="completed").values_list("pk", "ended_at")
    )
    due = dict(Timer.objects.filter(instance_id__in=ids).values_list("instance_id", "due_at"))
    late = [(ended[pk] - due[pk]).total_seconds() for pk in ids if pk in ended]
    first_due, last_fired = min(due.values()), max(ended.values(), default=None)
    summary = support.summary_ms(late)
    summary.update(
        timers=len(ids),
        fired=len(late),
        p50_ms=summary.pop("median_ms", None),
        fired_per_s=round(len(late) / (last_fired - first_due).total_seconds(), 1)
        if last_fired
        else None,
    )
    return summary


def burst(count: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from bpmn_engine.models import Timer
    from bpmn_engine.services import fire_due_timers, start_instance

    t0 = time.perf_counter()
    ids = [start_instance(definition_key=PROCESS_ID).pk for _ in range(count)]
    start_s = time.perf_counter() - t0
    last_due = Timer.objects.filter(instance_id__in=ids).order_by("-due_at")[0].due_at
    time.sleep(max(0.0, (last_due - timezone.now()).total_seconds()) + 0.05)
    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql.split(None, 1)[0].upper())
        return execute(sql, params, many, context)

    t0 = time.perf_counter()
    with connection.execute_wrapper(count):
        fired = fire_due_timers()
    drain_s = time.perf_counter() - t0
    connection.close()
    result = lateness(ids, 30)
    result.update(
        start_s=round(start_s, 2),
        drain_s=round(drain_s, 2),
        fired_per_s=round(fired / drain_s, 1),
        fired_by_drain=fired,
        ms_per_timer=round(drain_s / max(fired, 1) * 1e3, 2),
        sql_statements_per_timer=round(len(statements) / max(fired, 1), 1),
        selects_per_timer=round(statements.count("SELECT") / max(fired, 1), 1),
        note="lateness here is backlog: every timer waits for the drain to start",
    )
    return result


def drain(count: int) -> dict[str, Any]:
    import bulk_load
    from django.db import connection
    from django.utils import timezone

    from bpmn_engine.models import Timer
    from bpmn_engine.services import fire_due_timers, start_instance

    template = start_instance(definition_key=FLEET_PROCESS_ID).pk
    ids = [template, *bulk_load.clone_instances(template, count - 1)]
    Timer.objects.filter(instance_id__in=ids).update(due_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    statements = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    server0, client0, t0 = support.cpu_seconds(backend), time.process_time(), time.perf_counter()
    with connection.execute_wrapper(counted):
        fired = fire_due_timers()
    wall = time.perf_counter() - t0
    client, server = time.process_time() - client0, support.cpu_seconds(backend) - server0
    connection.close()
    per = max(fired, 1)
    return {
        "timers": count,
        "fired": fired,
        "drain_s": round(wall, 2),
        "fired_per_s": round(fired / wall, 1),
        "poller_cpu_ms_per_timer": round(client / per * 1e3, 3),
        "postgres_cpu_ms_per_timer": round(server / per * 1e3, 3),
        "statements_per_timer": round(statements[0] / per, 3),
        "load_average": list(os.getloadavg()),
    }


def poller(rate: float, seconds: float, poll: float) -> dict[str, Any]:
    from django.db import connection

    from bpmn_engine.services import fire_due_timers

    stop = threading.Event()
    polls: list[float] = []

    def loop() -> None:
        try:
            while not stop.is_set():
                t0 = time.perf_counter()
                fire_due_timers()
                polls.append(time.perf_counter() - t0)
                stop.wait(poll)
        finally:
            connection.close()

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        ids = start_paced(rate, seconds)
        result = lateness(ids, 30)
    finally:
        stop.set()
        thread.join()
    result.update(
        rate_per_s=rate, poll_s=poll, poll_calls=len(polls), poll_call=support.summary_ms(polls)
    )
    return result


def beat(rate: float, seconds: float, env: dict[str, str]) -> dict[str, Any]:
    from config.celery import app

    with tempfile.TemporaryDirectory(prefix="procession-bench-timers-") as folder:
        worker = support.CeleryProcess(
            name="timer-worker",
            queue=env["CELERY_TASK_DEFAULT_QUEUE"],
            env=env,
            log_dir=Path(folder),
            concurrency=1,
            beat=True,
        )
        worker.start()
        try:
            worker.wait_ready(app)
            ids = start_paced(rate, seconds)
            result = lateness(ids, 30)
        finally:
            worker.stop()
    result.update(
        rate_per_s=rate,
        poll_s=1.0,
        poller="celery worker -B (embedded beat), "
        "concurrency 1, PROCESSION_TIMER_POLL_SECONDS=1 (default)",
    )
    return result


def fleet(count: int, workers: int, env: dict[str, str], timeout: float) -> dict[str, Any]:
    """``count`` timers due at the same instant, fired by ``workers`` Celery workers (the
    first with embedded beat at the default 1 s poll; a full batch calls the others in).

    One instance is made by the engine with a PT1H timer; ``bulk_load`` copies it
    ``count - 1`` times, then every copy's timer is set due at one instant a few seconds
    ahead (an UPDATE of ``due_at``: the only row the engine did not write itself)."""
    from datetime import timedelta

    import bulk_load
    from django.db import connection
    from django.utils import timezone

    from bpmn_engine.models import ProcessInstance, Timer
    from bpmn_engine.services import start_instance
    from config.celery import app

    template = start_instance(definition_key=FLEET_PROCESS_ID).pk
    t0 = time.perf_counter()
    ids = [template, *bulk_load.clone_instances(template, count - 1)]
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="procession-bench-fleet-") as folder:
        fleet_workers = [
            support.CeleryProcess(
                name=f"fleet{i + 1}",
                queue=env["CELERY_TASK_DEFAULT_QUEUE"],
                env=env,
                log_dir=Path(folder),
                concurrency=1,
                beat=(i == 0),
            )
            for i in range(workers)
        ]
        try:
            for worker in fleet_workers:
                worker.start()
            for worker in fleet_workers:
                worker.wait_ready(app)
            due = timezone.now() + timedelta(seconds=3)
            Timer.objects.filter(instance_id__in=ids).update(due_at=due)
            connection.close()
            load_average = list(os.getloadavg())
            meter = support.CpuMeter([w.process.pid for w in fleet_workers if w.process])
            meter.start()
            deadline = time.monotonic() + timeout
            rows = ProcessInstance.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
            while time.monotonic() < deadline:
                if rows.filter(status="completed").count() == count:
                    break
                time.sleep(0.1)
            seen_all_s = (timezone.now() - due).total_seconds()
            cpu = meter.stop()
        finally:
            for worker in fleet_workers:
                worker.stop()
    ended = list(rows.filter(status="completed").values_list("ended_at", flat=True))
    late = [(at - due).total_seconds() for at in ended]
    summary = support.summary_ms(late)
    per = max(len(late), 1)
    summary.update(
        timers=count,
        fired=len(late),
        p50_ms=summary.pop("median_ms", None),
        workers=workers,
        load_average=load_average,
        # CPU from the due time's approach to the last firing (the idle polls before
        # the due time are in it: a few ms)
        workers_cpu_ms_per_timer=round(cpu["workers_cpu_s"] / per * 1e3, 3),
        postgres_cpu_ms_per_timer=round(cpu["postgres_backends_cpu_s"] / per * 1e3, 3),
        cpu_steal_share=cpu["cpu_steal_share"],
        # timers fired in each half second after the due time (ended_at): when the first
        # batch lands, when the second worker joins, whether a tail is left
        fired_per_half_second=timeline(late),
        bulk_load_s=round(load_s, 1),
        all_fired_within_s=round(max(late), 2) if len(late) == count else None,
        all_seen_fired_after_s=round(seen_all_s, 2),
        fired_per_s=round(len(late) / max(late), 1) if late else None,
        setup=f"{workers} x celery worker --concurrency=1 (the first with -B, "
        "PROCESSION_TIMER_POLL_SECONDS=1); lateness = ended_at - the common due time",
    )
    return summary


def timeline(late: list[float]) -> list[int]:
    """How many of ``late`` (seconds after the due time) fall in each half second."""
    counts = [0] * (int(max(late, default=0) * 2) + 1)
    for seconds in late:
        counts[max(0, int(seconds * 2))] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=500, help="timers in the burst phase")
    parser.add_argument("--rate", type=float, default=20.0, help="instances started per s")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of paced phases")
    parser.add_argument("--poll", type=float, default=0.1, help="in-process poll interval")
    parser.add_argument("--no-beat", action="store_true", help="skip the Celery beat phase")
    parser.add_argument(
        "--fleet", default="1000,10000", help="timer counts due at one instant (0: skip)"
    )
    parser.add_argument("--fleet-workers", type=int, default=2, help="workers for the fleet")
    parser.add_argument("--drain", type=int, default=2000, help="timers in the drain phase")
    parser.add_argument("--drain-only", action="store_true", help="stop after the drain")
    parser.add_argument("--fleet-timeout", type=float, default=600.0)
    args = parser.parse_args()
    if not support.reachable(support.PG_ADMIN_URL, 5432):
        print("PostgreSQL unreachable: skipped the timer benchmark")
        support.write_result("timers", {"skipped": "PostgreSQL unreachable"})
        return
    use_beat = not args.no_beat and support.reachable(support.REDIS_URL, 6379)
    print(f"timers: recreating {support.PG_DB}", flush=True)
    support.recreate_database()
    support.migrate(support.pg_url())
    env = {
        # Production settings, as in bench_persisted and bench_jobs: with DEBUG on, Django
        # records every statement and the write path takes Django's cursor (parameters
        # bound on the client, nothing prepared).
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-key-not-a-secret",
        "DATABASE_URL": support.pg_url(),
        "CELERY_BROKER_URL": support.REDIS_URL if use_beat else "memory://",
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "WARNING",
    }
    if use_beat:
        support.flush_redis()
    result: dict[str, Any] = {"machine": support.machine(), "timer": "PT1S", "debug": False}
    support.setup_django(env)
    from bpmn_engine.services import deploy_definition

    deploy_definition(name=PROCESS_ID, resources={f"{PROCESS_ID}.bpmn": DIAGRAM})
    fleet_diagram = DIAGRAM.replace(PROCESS_ID.encode(), FLEET_PROCESS_ID.encode())
    deploy_definition(
        name=FLEET_PROCESS_ID,
        resources={f"{FLEET_PROCESS_ID}.bpmn": fleet_diagram.replace(b"PT1S", b"PT1H")},
    )
    result["fleet"] = []
    for count in [int(c) for c in args.fleet.split(",") if int(c) > 0] if use_beat else []:
        row = fleet(count, args.fleet_workers, env, args.fleet_timeout)
        result["fleet"].append(row)
        print(
            f"  {count} timers due at once, {args.fleet_workers} workers: all fired within "
            f"{row['all_fired_within_s']} s (p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms); "
            f"CPU ms per timer: workers {row['workers_cpu_ms_per_timer']}, PostgreSQL "
            f"{row['postgres_cpu_ms_per_timer']}; load {row['load_average'][0]:.1f}; fired "
            f"per 0.5 s: {row['fired_per_half_second']}",
            flush=True,
        )
    if args.drain:
        result["drain"] = drain(args.drain)
        row = result["drain"]
        print(
            f"  drain of {args.drain}: poller {row['poller_cpu_ms_per_timer']} ms CPU per timer, "
            f"PostgreSQL {row['postgres_cpu_ms_per_timer']} ms, {row['fired_per_s']} timers/s, "
            f"{row['statements_per_timer']} statements per timer",
            flush=True,
        )
    if args.drain_only:
        support.write_result("timers", result)
        return
    result["burst"] = burst(args.burst)
    print(
        f"  burst: {args.burst} timers drained at {result['burst']['fired_per_s']} timers/s",
        flush=True,
    )
    result["poller"] = poller(args.rate, args.seconds, args.poll)
    print(
        f"  poller every {args.poll} s: lateness p50 {result['poller']['p50_ms']} ms, "
        f"p95 {result['poller']['p95_ms']} ms, max {result['poller']['max_ms']} ms",
        flush=True,
    )
    if use_beat:
        result["beat"] = beat(args.rate, args.seconds, env)
        print(
            f"  celery beat (1 s): lateness p50 {result['beat']['p50_ms']} ms, "
            f"p95 {result['beat']['p95_ms']} ms, max {result['beat']['max_ms']} ms",
            flush=True,
        )
    else:
        result["beat"] = {"skipped": "Redis unreachable or --no-beat"}
    path = support.write_result("timers", result)
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
