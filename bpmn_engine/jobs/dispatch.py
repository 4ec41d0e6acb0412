"""Ring the Celery doorbell for jobs, after the transaction that created them commits.

A command never waits for the broker: once its transaction commits, the job ids go to a
queue in this process and a background thread publishes them. A failed publish is
logged, never raised: the job row is already committed and the sweeper
(``dispatch_due_jobs``) sends it again after ``PROCESSION_JOB_REDISPATCH_SECONDS``.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from celery import current_app
from django.conf import settings
from django.db import transaction

from bpmn_engine.jobs.handlers import (
    DEFAULT_TIMEOUT_SECONDS,
    get_handler,
    has_handler,
    registered_job_types,
)

log = logging.getLogger(__name__)

#: Sent by name through the app, so nothing below the services imports the Celery adapters.
RUN_JOB_TASK = "procession.run_job"
RUN_JOBS_TASK = "procession.run_jobs"
#: Doorbells waiting for the publisher thread; beyond this the sweeper re-sends.
MAX_WAITING = 10_000


def time_limits_for(job_type: str) -> tuple[float, float]:
    """(soft, hard) Celery time limits of a job: the handler's timeout, then a grace
    period after which the pool kills the process running it."""
    soft = get_handler(job_type).timeout if has_handler(job_type) else DEFAULT_TIMEOUT_SECONDS
    return soft, soft + float(settings.PROCESSION_JOB_HARD_LIMIT_GRACE_SECONDS)


def message_limits_for(job_type: str, count: int = 1) -> tuple[float, float]:
    """(soft, hard) Celery time limits of a message carrying ``count`` jobs of
    ``job_type``'s limits: the job's own limits plus the chain budget
    (``PROCESSION_JOB_CHAIN_SECONDS``) for each job it carries, within which the worker
    runs the others and the jobs their reports create. The worker enforces each job's own
    limits itself (``jobs.time_limits``); the message's are the pool's backstop."""
    soft, hard = time_limits_for(job_type)
    chain = float(settings.PROCESSION_JOB_CHAIN_SECONDS) * max(count, 1)
    return soft + chain, hard + chain


def job_types_sent_with(soft: float, hard: float) -> list[str]:
    """The job types with a handler here whose single-job messages carry these limits."""
    return [t for t in registered_job_types() if message_limits_for(t) == (soft, hard)]


def publish_run_job(job_id: int, job_type: str) -> bool:
    """Send one ``run_job`` message now; False when the broker refused it."""
    return publish_run_jobs([(job_id, job_type)])


def publish_run_jobs(jobs: Sequence[tuple[int, str]]) -> bool:
    """Send one message for ``jobs`` (job id, job type), whose types share their time
    limits: ``run_job`` for one job, ``run_jobs`` for several. False when the broker
    refused it."""
    ids = [job_id for job_id, _ in jobs]
    soft, hard = message_limits_for(jobs[0][1], len(ids))
    name, args = (RUN_JOB_TASK, (ids[0],)) if len(ids) == 1 else (RUN_JOBS_TASK, (ids,))
    try:
        current_app.send_task(name, args=args, retry=False, soft_time_limit=soft, time_limit=hard)
    except Exception:  # any broker failure: the sweeper re-sends from the job table
        log.warning("could not publish jobs %s; the sweeper will re-send them", ids, exc_info=True)
        return False
    return True


def batched(jobs: Sequence[tuple[int, str]], size: int) -> list[list[tuple[int, str]]]:
    """``jobs`` (job id, job type) in messages of at most ``size``, each of jobs whose
    time limits match (so a message's limits fit every job it carries), in first-seen
    order."""
    groups: dict[tuple[float, float], list[list[tuple[int, str]]]] = {}
    ordered: list[list[tuple[int, str]]] = []
    for job in jobs:
        runs = groups.setdefault(time_limits_for(job[1]), [])
        if not runs or len(runs[-1]) >= size:
            runs.append([])
            ordered.append(runs[-1])
        runs[-1].append(job)
    return ordered


#: (job id, job type), or (job id, job type, True) for one sent in a message of its own.
Doorbell = tuple[int, str] | tuple[int, str, bool]


class Publisher:
    """One background thread per process that publishes queued doorbells in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = -1
        self._queue: queue.Queue[Doorbell] = queue.Queue(MAX_WAITING)
        self._thread: threading.Thread | None = None

    def submit(self, job_id: int, job_type: str, alone: bool = False) -> None:
        """Queue a doorbell; ``alone``: never in one message with others."""
        self._ensure_thread()
        try:
            self._queue.put_nowait((job_id, job_type, True) if alone else (job_id, job_type))
        except queue.Full:
            log.warning("doorbell queue full; the sweeper will send job %s", job_id)

    def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every queued doorbell to be published."""
        done = threading.Event()
        waiter = threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True)
        waiter.start()
        return done.wait(timeout)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # a forked child starts its own thread
                self._pid = os.getpid()
                self._queue = queue.Queue(MAX_WAITING)
                self._thread = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="procession-publisher", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            self.publish_waiting()

    def publish_waiting(self) -> None:
        """Wait for a doorbell, then publish it with those already waiting behind it,
        several job ids per message (``PROCESSION_JOB_BATCH_SIZE``)."""
        waiting = [self._queue.get()]
        # Only what is already waiting joins it: a lone doorbell goes out at once.
        size = int(settings.PROCESSION_JOB_BATCH_SIZE)
        while len(waiting) < size * 4:  # room to group a few kinds of limits
            try:
                waiting.append(self._queue.get_nowait())
            except queue.Empty:
                break
        try:
            for job_id, job_type, *alone in waiting:
                if alone:
                    publish_run_jobs([(job_id, job_type)])
            together = [(job_id, job_type) for job_id, job_type, *alone in waiting if not alone]
            for jobs in batched(together, size):
                publish_run_jobs(jobs)
        finally:
            for _ in waiting:
                self._queue.task_done()


publisher = Publisher()
atexit.register(publisher.drain, 2.0)  # a short-lived process sends what it committed


_held: ContextVar[list[tuple[int, str]] | None] = ContextVar("held_doorbells", default=None)


def dispatch_after_commit(job_id: int, job_type: str, alone: bool = False) -> None:
    """Queue the job's doorbell once the current transaction commits (or hold it for
    the caller of ``held_doorbells``); ``alone``: in a message of its own."""
    held = _held.get()
    if held is not None and not alone:
        held.append((job_id, job_type))
        return
    transaction.on_commit(lambda: publisher.submit(job_id, job_type, alone))


@contextmanager
def held_doorbells() -> Iterator[list[tuple[int, str]]]:
    """Collect the (job id, job type) doorbells rung inside the block instead of queueing
    them: the caller leases the jobs it runs itself and rings the others
    (``dispatch_after_commit``) after the block."""
    held: list[tuple[int, str]] = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)
