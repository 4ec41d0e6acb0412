"""Audit trail benchmarks (run: python bench/bench_audit.py [--events 1000000]).

1. Export throughput and peak memory: fill the audit table with ``--events`` chained
   events (1,000 instance streams), then export them all as JSON Lines and CSV, each in a
   fresh process that reports events/s and its peak RSS above the Django baseline; the
   offline verifier checks the JSON Lines file (throughput and peak RSS too).
2. The cost of audit writing per engine command: start + claim + complete of the approval
   diagram with audit writing on, and with it patched out, alternating, in the same run.

``--database`` picks the database URL (default: a fresh SQLite file in a temporary
directory); the PostgreSQL database named there is dropped and created.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STREAMS = 1000


def setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def rss_mb() -> float:
    """Peak resident memory of this process image (VmHWM; ru_maxrss survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


COLUMNS = (
    "stream",
    "seq",
    "occurred_at",
    "event_type",
    "actor_kind",
    "actor_id",
    "instance_id",
    "definition_id",
    "element_id",
    "data",
    "prev_hash",
    "hash",
)


def _rows(events: int):
    """Chained rows over ``STREAMS`` streams, hashed exactly as the writer hashes them."""
    from datetime import UTC, datetime, timedelta

    from bpmn_engine.audit.canonical import GENESIS, canonical_json, event_hash, format_time

    heads = {s: (0, GENESIS) for s in range(STREAMS)}
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(events):
        stream = n % STREAMS
        seq, prev = heads[stream]
        when = t0 + timedelta(milliseconds=n)
        body = {
            "stream": f"instance:{stream + 1_000_001}",
            "seq": seq + 1,
            "occurred_at": format_time(when),
            "event_type": "variable.updated",
            "actor_kind": "user",
            "actor_id": f"user{stream % 50}",
            "instance_id": stream + 1_000_001,
            "definition_id": 1,
            "element_id": "Review",
            "data": canonical_json(
                {"name": "amount", "old": n - 1, "new": n, "scope": "root", "note": "x" * 60}
            ),
        }
        hash_ = event_hash(prev, body)
        heads[stream] = (seq + 1, hash_)
        yield (
            *[body[c] for c in COLUMNS[:2]],
            when,
            *[body[c] for c in COLUMNS[3:10]],
            prev,
            hash_,
        )
    yield heads


def fill(events: int) -> float:
    """Bulk-load ``events`` valid chained events and their heads (COPY on PostgreSQL, one
    ``executemany`` per 20,000 rows on SQLite): the engine's writer is measured by
    ``step_cost``, not here."""
    from django.db import connection, transaction

    from bpmn_engine.models import AuditChainHead

    start = time.perf_counter()
    rows = _rows(events)
    sql_columns = ", ".join(COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = f"COPY bpmn_engine_auditevent ({sql_columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    if isinstance(row, dict):
                        heads = row
                        break
                    copy.write_row(row)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            marks = ", ".join(["%s"] * len(COLUMNS))
            insert = f"INSERT INTO bpmn_engine_auditevent ({sql_columns}) VALUES ({marks})"
            batch: list[tuple] = []
            for row in rows:
                if isinstance(row, dict):
                    heads = row
                    break
                batch.append((*row[:2], adapt(row[2]), *row[3:]))
                if len(batch) == 20_000:
                    cursor.executemany(insert, batch)
                    batch = []
            if batch:
                cursor.executemany(insert, batch)
        AuditChainHead.objects.bulk_create(
            [
                AuditChainHead(stream=f"instance:{s + 1_000_001}", seq=q, hash=h)
                for s, (q, h) in heads.items()
            ]
        )
    return time.perf_counter() - start


def export(fmt: str, path: str) -> dict:
    from bpmn_engine.audit.export import csv_lines, jsonl_lines
    from bpmn_engine.models import AuditEvent

    lines = jsonl_lines if fmt == "jsonl" else csv_lines
    baseline = rss_mb()
    start = time.perf_counter()
    count, size = 0, 0
    with open(path, "wb") as out:
        for line in lines(AuditEvent.objects.all(), scope={}):
            out.write(line)
            count += 1
            size += len(line)
    elapsed = time.perf_counter() - start
    events = count - (2 if fmt == "csv" else 1)
    return {
        "format": fmt,
        "events": events,
        "seconds": round(elapsed, 2),
        "events_per_s": round(events / elapsed),
        "mb": round(size / 1e6, 1),
        "peak_rss_above_baseline_mb": round(rss_mb() - baseline, 1),
        "baseline_rss_mb": round(baseline, 1),
    }


VERIFY = """
import runpy, sys
sys.argv = [sys.argv[1], sys.argv[2]]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
    code = 0
except SystemExit as exit:
    code = exit.code
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(hwm, file=sys.stderr)
sys.exit(code)
"""


def verify_offline(path: str) -> dict:
    """Run the standard-library verifier (-I -S) on the export; time and peak RSS."""
    script = str(ROOT / "scripts" / "verify_export.py")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", VERIFY, script, path],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    return {
        "ok": done.returncode == 0,
        "seconds": round(elapsed, 2),
        "peak_rss_mb": round(int(done.stderr.strip().splitlines()[-1]) / 1024, 1),
        "output": done.stdout.strip()[:60],
    }


def step_cost(rounds: int) -> dict:
    from django.contrib.auth.models import User

    from bpmn_engine.audit import effects
    from bpmn_engine.services import (
        claim_user_task,
        complete_user_task,
        deploy_definition,
        start_instance,
    )
    from bpmn_engine.services.unit_of_work import UnitOfWork

    source = (ROOT / "fixtures" / "bpmn" / "user_task" / "approval.bpmn").read_bytes()
    deploy_definition(name="approval", resources={"approval.bpmn": source})
    # an administrator: may start, claim and complete under the permission policy
    user = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})[0]
    variables = {"amount": 10, "dueDate": "2026-03-04T09:00:00+00:00"}

    def one() -> float:
        start = time.perf_counter()
        instance = start_instance(definition_key="approval", variables=variables, user=user)
        task = instance.user_tasks.get()
        claim_user_task(task_id=task.pk, user=user)
        complete_user_task(task_id=task.pk, user=user, variables={"approved": False})
        return time.perf_counter() - start

    original_flush, original_build = UnitOfWork.flush_audit, effects.StepEvents.build
    import bpmn_engine.services.user_tasks as user_tasks

    original_task_audit = user_tasks._audit_task

    def off() -> None:
        UnitOfWork.flush_audit = lambda self: None  # type: ignore[method-assign]
        effects.StepEvents.build = lambda self, fx: []  # type: ignore[method-assign]
        user_tasks._audit_task = lambda *a, **k: None

    def on() -> None:
        UnitOfWork.flush_audit = original_flush  # type: ignore[method-assign]
        effects.StepEvents.build = original_build  # type: ignore[method-assign]
        user_tasks._audit_task = original_task_audit

    for _ in range(5):
        one()  # warm up caches and connections
    with_audit, without = [], []
    for _ in range(rounds):
        on()
        with_audit.append(one())
        off()
        without.append(one())
    on()
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return {
        "commands_per_round": 3,
        "rounds": rounds,
        "median_ms_with_audit": round(median(with_audit) * 1000, 2),
        "median_ms_without_audit": round(median(without) * 1000, 2),
        "ratio": round(median(with_audit) / median(without), 3),
    }


def anchor_and_verify() -> dict:
    """Anchor the filled chains, then verify every chain and anchor in the database."""
    from bpmn_engine.audit.verify import verify
    from bpmn_engine.services.audit_anchors import anchor_audit_chains

    start = time.perf_counter()
    run = anchor_audit_chains()
    anchored = time.perf_counter() - start
    start = time.perf_counter()
    report = verify()
    checked = time.perf_counter() - start
    return {
        "anchor_streams": run.streams,
        "anchor_seconds": round(anchored, 2),
        "verify_ok": report.ok,
        "verify_events": report.events,
        "verify_seconds": round(checked, 1),
        "verify_events_per_s": round(report.events / checked),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--database", default="")
    parser.add_argument("--child", choices=["export-jsonl", "export-csv"], default=None)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.child:
        setup(args.database)
        print(json.dumps(export(args.child.split("-")[1], args.out)))
        return
    workdir = tempfile.mkdtemp(prefix="procession-audit-bench-")
    database = args.database or f"sqlite:///{workdir}/bench.sqlite3"
    if database.startswith("postgres"):
        name = database.rsplit("/", 1)[1]
        admin = database.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    setup(database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results: dict = {"database": database.split(":")[0], "events": args.events}
    results["step_cost"] = step_cost(args.rounds)
    print(json.dumps(results["step_cost"]), flush=True)
    results["fill_seconds"] = round(fill(args.events), 1)
    for fmt in ("jsonl", "csv"):
        out = f"{workdir}/export.{fmt}"
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                f"export-{fmt}",
                "--database",
                database,
                "--out",
                out,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results[f"export_{fmt}"] = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(results[f"export_{fmt}"]), flush=True)
    results["verify_jsonl"] = verify_offline(f"{workdir}/export.jsonl")
    results["anchor_and_verify"] = anchor_and_verify()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
