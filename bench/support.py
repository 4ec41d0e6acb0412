"""Shared helpers of the persisted benchmarks: databases, pgbench, Celery processes, stats.

Nothing here imports Django at module level: the orchestrating processes stay free of it
and set the environment (``DATABASE_URL``, broker, handler modules) before a child calls
``setup_django``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
PG_ADMIN_URL = os.environ.get("PROCESSION_BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("PROCESSION_BENCH_DB", "procession_bench")
REDIS_URL = os.environ.get("PROCESSION_BENCH_REDIS", "redis://127.0.0.1:6379/14")
PGBENCH_SCRIPT = ROOT / "bench" / "pgbench_command.sql"
PGBENCH_SCHEMA = ROOT / "bench" / "pgbench_schema.sql"


# ----------------------------------------------------------------------------- services


def reachable(url: str, default_port: int, timeout: float = 2.0) -> bool:
    """True when a TCP connection to the URL's host and port succeeds."""
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=timeout
        ):
            return True
    except OSError:
        return False


def pg_url(database: str = PG_DB) -> str:
    return f"{PG_ADMIN_URL.rstrip('/')}/{database}"


def psql(sql: str, database: str = "postgres") -> str:
    """Run SQL with ``psql`` (read from stdin, so each statement commits on its own, and
    ON_ERROR_STOP); returns its unaligned, tuples-only output."""
    parts = urlsplit(PG_ADMIN_URL)
    command = [
        "psql",
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-At",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-d",
        database,
        "-f",
        "-",
    ]
    done = subprocess.run(command, input=sql, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def recreate_database(database: str = PG_DB) -> None:
    """Drop (forcing other sessions out) and create the benchmark database."""
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{database}"')


def migrate(database_url: str) -> None:
    """``manage.py migrate`` against ``database_url``."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def server_commits(database: str = PG_DB) -> int:
    """Committed transactions of ``database`` so far (``pg_stat_database.xact_commit``)."""
    return int(psql(f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{database}'"))


def flush_redis(url: str = REDIS_URL) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def setup_django(env: dict[str, str]) -> None:
    """Set the environment, put the project on ``sys.path`` and run ``django.setup()``."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ----------------------------------------------------------------------------- pgbench


def prepare_pgbench(database: str = PG_DB, rows: int = 10_000) -> None:
    """Create the pgbench comparison tables in ``database`` and fill ``rows`` instances."""
    psql(PGBENCH_SCHEMA.read_text().replace(":rows", str(rows)), database)


def cpu_steal_seconds() -> float | None:
    """CPU time the hypervisor gave to other guests so far, summed over this machine's
    CPUs (``/proc/stat``'s steal column; None where there is none). On a shared virtual
    machine a phase that lost time this way ran slower for reasons outside the code."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class StealMeter:
    """The share of the machine's CPU time stolen between ``__init__`` and ``share()``:
    steal seconds divided by (wall seconds times CPUs); None where steal is not reported."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.steal = cpu_steal_seconds()

    def share(self) -> float | None:
        now = cpu_steal_seconds()
        if now is None or self.steal is None:
            return None
        wall = (time.monotonic() - self.started) * (os.cpu_count() or 1)
        return round((now - self.steal) / max(wall, 1e-9), 4)


def proc_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (None if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_pids(database: str, application: str) -> list[int]:
    import psycopg

    with psycopg.connect(pg_url(database), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (database, application),
        ).fetchall()
    return [pid for (pid,) in rows]


def _sample_cpu(pids: list[int]) -> dict[int, float]:
    return {pid: cpu for pid in pids if (cpu := proc_cpu_seconds(pid)) is not None}


def run_pgbench(
    clients: int, seconds: int, database: str = PG_DB, rows: int = 10_000
) -> dict[str, Any]:
    """Run ``bench/pgbench_command.sql`` with ``clients`` clients (one thread each).

    CPU per transaction: pgbench's own (client) CPU from its rusage over all its
    transactions; the server's from its backends' ``/proc`` CPU between two samples half a
    second after the start and before the end, over the transactions pgbench logged
    (``-l``) as finished between those samples."""
    import resource
    import tempfile
    import threading

    parts = urlsplit(PG_ADMIN_URL)
    logs = Path(tempfile.mkdtemp(prefix="pgbench-log-"))
    command = [
        "pgbench",
        "-n",
        "-l",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-c",
        str(clients),
        "-j",
        str(clients),
        "-T",
        str(seconds),
        "-D",
        f"rows={rows}",
        "-f",
        str(PGBENCH_SCRIPT),
        database,
    ]
    samples: list[tuple[float, dict[int, float]]] = []

    def sample_server() -> None:
        begun = time.time()
        time.sleep(0.5)
        pids = _backend_pids(database, "pgbench")
        while len(pids) < clients and time.time() - begun < seconds / 2:
            time.sleep(0.1)
            pids = _backend_pids(database, "pgbench")
        samples.append((time.time(), _sample_cpu(pids)))
        time.sleep(max(0.2, begun + seconds - 0.5 - time.time()))
        samples.append((time.time(), _sample_cpu(pids)))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    steal = StealMeter()
    sampler = threading.Thread(target=sample_server)
    sampler.start()
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=logs).stdout
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    ends = []
    for log in logs.iterdir():
        for line in log.read_text().splitlines():
            fields = line.split()
            ends.append(int(fields[4]) + int(fields[5]) / 1e6)
        log.unlink()
    logs.rmdir()
    (t_a, cpu_a), (t_b, cpu_b) = samples
    window = sum(1 for end in ends if t_a <= end < t_b)
    server = sum(cpu_b[pid] - cpu_a[pid] for pid in cpu_a if pid in cpu_b)
    client = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "clients": clients,
        "seconds": seconds,
        "tps": round(tps, 1),
        "latency_ms": float(latency.group(1)) if latency else None,
        "client_cpu_ms_per_tx": round(client / max(len(ends), 1) * 1e3, 3),
        "server_cpu_ms_per_tx": round(server / max(window, 1) * 1e3, 3),
        "cpu_steal_share": steal.share(),
    }


# ----------------------------------------------------------------------------- Celery


class CeleryProcess:
    """One ``celery -A config worker`` (optionally with embedded beat) as a child process."""

    def __init__(
        self,
        *,
        name: str,
        queue: str,
        env: dict[str, str],
        log_dir: Path,
        concurrency: int = 1,
        beat: bool = False,
    ) -> None:
        self.name = name
        self.queue = queue
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.concurrency = concurrency
        self.beat = beat
        self.hostname = f"{name}-{uuid.uuid4().hex[:6]}@localhost"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={self.concurrency}",
            "--pool=prefork",
            f"--hostname={self.hostname}",
            f"--queues={self.queue}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if self.beat:
            command += ["-B", "-s", str(self.log_path.with_suffix(".beat"))]
        env = {
            **os.environ,
            **self.env,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, app: Any, timeout: float = 60.0) -> None:
        """Block until the worker answers a ping (raises with its log otherwise)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.read_log()}")
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer a ping in {timeout}s:\n{self.read_log()}")

    def read_log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if getattr(self, "log", None):
            self.log.close()


# ----------------------------------------------------------------------------- stats, output


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median, p95 and max of durations given in seconds, as milliseconds."""
    if not seconds:
        return {"n": 0}
    return {
        "n": len(seconds),
        "median_ms": round(statistics.median(seconds) * 1e3, 2),
        "p95_ms": round(percentile(seconds, 95) * 1e3, 2),
        "max_ms": round(max(seconds) * 1e3, 2),
    }


_RUN_STEAL: StealMeter | None = None  # from ``machine()`` to ``write_result()``


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else ""
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    global _RUN_STEAL
    _RUN_STEAL = StealMeter()
    try:
        info["postgres"] = psql("SHOW server_version")
    except (OSError, RuntimeError):
        info["postgres"] = None
    return info


def write_result(name: str, data: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {**data, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}
    if _RUN_STEAL is not None:
        data["cpu_steal_share"] = _RUN_STEAL.share()
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


# ----------------------------------------------------------------------------- CPU time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def backend_pids(database: str = PG_DB) -> list[int]:
    """PostgreSQL backends connected to ``database`` right now (same machine)."""
    out = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'")
    return [int(line) for line in out.split() if line.strip()]


class CpuMeter:
    """CPU seconds spent by the benchmark database's backends and by given process trees
    between ``start()`` and ``stop()``."""

    def __init__(self, roots: Sequence[int]) -> None:
        self.roots = list(roots)

    def _sample(self) -> tuple[dict[int, float], dict[int, float]]:
        backends = {pid: cpu_seconds(pid) for pid in backend_pids()}
        mine = {pid: cpu_seconds(pid) for root in self.roots for pid in process_tree(root)}
        return backends, mine

    def start(self) -> None:
        self.before = self._sample()
        self.steal = StealMeter()

    def stop(self) -> dict[str, float | None]:
        after = self._sample()
        pg = sum(cpu - self.before[0].get(pid, 0.0) for pid, cpu in after[0].items())
        own = sum(cpu - self.before[1].get(pid, 0.0) for pid, cpu in after[1].items())
        return {
            "postgres_backends_cpu_s": round(pg, 2),
            "workers_cpu_s": round(own, 2),
            "cpu_steal_share": self.steal.share(),
        }
