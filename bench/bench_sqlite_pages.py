"""SQLite write cost in load-independent units: WAL pages written per command, by table
and index, and statements per command, for the engine's start + complete loop of
``bench_persisted.py`` beside the raw ``sqlite3`` transaction it is compared with.

Each side runs on its own file database with automatic checkpoints off, so the WAL keeps
every frame the commits wrote; the frames' page numbers are mapped to their b-tree
(``dbstat``) at the end. Wall time is not measured here (``bench_persisted.py`` does).

    .venv/bin/python bench/bench_sqlite_pages.py [--instances 200]

Writes ``bench/results/sqlite_pages.json``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import struct
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import support

WAL_HEADER = 32
FRAME_HEADER = 24


def wal_frames(path: Path) -> list[int]:
    """The page number of every frame in ``path``'s WAL file, in order."""
    wal = path.with_name(path.name + "-wal")
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < WAL_HEADER:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    frames, offset = [], WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(data):
        frames.append(struct.unpack(">I", data[offset : offset + 4])[0])
        offset += FRAME_HEADER + page_size
    return frames


def page_owners(db: sqlite3.Connection) -> dict[int, str]:
    """Page number → the table or index it belongs to (``dbstat``)."""
    try:
        rows = db.execute("SELECT pageno, name FROM dbstat").fetchall()
    except sqlite3.OperationalError:  # dbstat not compiled in
        return {}
    return {pageno: name for pageno, name in rows}


def measure(path: Path, run: Any, commands: int) -> dict[str, Any]:
    """Checkpoint ``path`` empty, run ``run`` (``commands`` commands) with automatic
    checkpoints off, and count the WAL frames it wrote."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    run()
    frames = wal_frames(path)
    owners = page_owners(db)
    db.close()
    by_btree = Counter(owners.get(page, "?") for page in frames)
    return {
        "commands": commands,
        "wal_frames_per_command": round(len(frames) / commands, 2),
        "by_btree_per_command": {
            name: round(count / commands, 2) for name, count in by_btree.most_common()
        },
    }


def engine_side(path: Path, instances: int) -> dict[str, Any]:
    support.setup_django(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-key-not-a-secret",
            "CELERY_BROKER_URL": "memory://",
        }
    )
    import bench_persisted as bp
    from django.db import connection

    bp.deploy()
    for _ in range(30):
        bp.complete_one(bp.open_tasks([bp.start_one()])[0])
    connection.ensure_connection()
    connection.connection.execute("PRAGMA wal_autocheckpoint=0")
    statements: Counter[str] = Counter()

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    def run() -> None:
        ids = [bp.start_one() for _ in range(instances)]
        for task in bp.open_tasks(ids):
            bp.complete_one(task)

    result = measure(path, run, 2 * instances)
    with connection.execute_wrapper(count):
        ids = [bp.start_one() for _ in range(instances)]
        tasks = bp.open_tasks(ids)
        statements.clear()
        for task in tasks:
            bp.complete_one(task)
        completes = dict(statements)
        statements.clear()
        [bp.start_one() for _ in range(instances)]
        starts = dict(statements)
    result["statements_per_start"] = {k: round(v / instances, 2) for k, v in starts.items()}
    result["statements_per_complete"] = {k: round(v / instances, 2) for k, v in completes.items()}
    return result


def raw_side(path: Path, transactions: int) -> dict[str, Any]:
    import bench_persisted as bp

    rows = 10_000
    bp.raw_database(path, rows).close()

    def run() -> None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        for i in range(transactions):
            bp.raw_transaction(db, 1 + (i * 7919) % rows, 1_000_000 + i)
        db.close()

    return measure(path, run, transactions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(engine_side(Path(args.child), args.instances)))
        return
    import subprocess

    with tempfile.TemporaryDirectory(prefix="procession-pages-") as folder:
        engine_db = Path(folder) / "engine.sqlite3"
        support.migrate(f"sqlite:///{engine_db}")
        out = subprocess.run(
            [support.PY, __file__, "--child", str(engine_db), "--instances", str(args.instances)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        engine = json.loads(out.strip().splitlines()[-1])
        raw = raw_side(Path(folder) / "raw.sqlite3", 2 * args.instances)
    results = {"machine": support.machine(), "engine": engine, "raw_sqlite3": raw}
    for side in ("engine", "raw_sqlite3"):
        print(f"{side}: {results[side]['wal_frames_per_command']} WAL pages per command")
        for name, count in results[side]["by_btree_per_command"].items():
            print(f"    {count:6.2f}  {name}")
    for kind in ("start", "complete"):
        print(f"engine statements per {kind}: {engine[f'statements_per_{kind}']}")
    path = support.write_result("sqlite_pages", results)
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
