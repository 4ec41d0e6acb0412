"""Handlers used by the job tests, in the test process and in real worker processes.

Each appends a line ``<job type> <idempotency key> <pid>`` to the journal file named by
``PROCESSION_TEST_JOURNAL`` before it does anything else, so a test can see every
attempt, even one whose worker was killed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bpmn_engine.jobs.handlers import BpmnError, JobContext, handler


def journal(job: JobContext, note: str = "") -> None:
    path = os.environ.get("PROCESSION_TEST_JOURNAL")
    if path:
        with Path(path).open("a") as out:
            out.write(
                f"{job.job_type} {job.idempotency_key} {os.getpid()} {note}\n".rstrip() + "\n"
            )


def attempts_of(path: Path, job_type: str) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().splitlines() if line.split()[0] == job_type]


@handler("test-double", timeout=20)
def double(job: JobContext) -> dict:
    journal(job)
    return {"amount": job.variables.get("amount", 0) * 2}


@handler("test-increment", timeout=20)
def increment(job: JobContext) -> dict:
    journal(job)
    return {"steps": job.variables.get("steps", 0) + 1}


@handler("test-decline", timeout=20)
def decline(job: JobContext) -> None:
    journal(job)
    raise BpmnError("CARD_DECLINED", "card declined", {"reason": "limit"})


@handler("test-broken", timeout=20)
def broken(job: JobContext) -> None:
    journal(job)
    raise ConnectionError("payment service unreachable")


@handler("test-flaky", timeout=20)
def flaky(job: JobContext) -> dict:
    """Fails until the variable ``succeed_from`` attempt is reached."""
    journal(job)
    if job.attempt < job.variables.get("succeed_from", 2):
        raise TimeoutError(f"attempt {job.attempt} timed out")
    return {"attempts_needed": job.attempt}


@handler("test-slow-once", timeout=5)
def slow_once(job: JobContext) -> dict:
    """Hangs on its first attempt (long enough to be killed), succeeds afterwards."""
    journal(job)
    if job.attempt == 1:
        time.sleep(600)
    return {"finished_attempt": job.attempt}


@handler("test-sleepy", timeout=1)
def sleepy(job: JobContext) -> dict:
    """Overruns its one-second limit on the first attempt, returns at once afterwards."""
    journal(job)
    if job.attempt == 1:
        time.sleep(30)
    return {"woke_on_attempt": job.attempt}


@handler("test-stubborn", timeout=1)
def stubborn(job: JobContext) -> dict:
    """Ignores its soft time limit on the first attempt and holds an exclusive lock on a
    file while it runs; a second attempt that finds the lock still held notes an overlap."""
    import fcntl

    from celery.exceptions import SoftTimeLimitExceeded

    lock_path = Path(os.environ["PROCESSION_TEST_JOURNAL"]).with_suffix(".lock")
    lock_file = lock_path.open("a")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        journal(job, "overlap")
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # wait for the first attempt to end
    journal(job, f"attempt-{job.attempt}")
    if job.attempt == 1:
        for _ in range(60):  # a minute unless the pool kills it
            try:
                time.sleep(1)
            except SoftTimeLimitExceeded:
                journal(job, "ignored-soft-limit")
    return {"stubborn_attempt": job.attempt}
