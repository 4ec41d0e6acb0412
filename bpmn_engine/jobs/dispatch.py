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
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from celery import current_app
from django.conf import settings
from django.db import transaction

from bpmn_engine.jobs.handlers import DEFAULT_TIMEOUT_SECONDS, get_handler, has_handler

log = logging.getLogger(__name__)

#: Sent by name through the app, so nothing below the services imports the Celery adapters.
RUN_JOB_TASK = "procession.run_job"
#: Doorbells waiting for the publisher thread; beyond this the sweeper re-sends.
MAX_WAITING = 10_000


def time_limits_for(job_type: str) -> tuple[float, float]:
    """(soft, hard) Celery time limits of a job: the handler's timeout, then a grace
    period after which the pool kills the process running it."""
    soft = get_handler(job_type).timeout if has_handler(job_type) else DEFAULT_TIMEOUT_SECONDS
    return soft, soft + float(settings.PROCESSION_JOB_HARD_LIMIT_GRACE_SECONDS)


def message_limits_for(job_type: str) -> tuple[float, float]:
    """(soft, hard) Celery time limits of a ``run_job`` message: the job's own limits
    plus the chain budget (``PROCESSION_JOB_CHAIN_SECONDS``), within which the worker may
    run the jobs the first one's report creates. The worker enforces each job's own
    limits itself (``jobs.time_limits``); the message's are the pool's backstop."""
    soft, hard = time_limits_for(job_type)
    chain = float(settings.PROCESSION_JOB_CHAIN_SECONDS)
    return soft + chain, hard + chain


def publish_run_job(job_id: int, job_type: str) -> bool:
    """Send one ``run_job`` message now; False when the broker refused it."""
    soft, hard = message_limits_for(job_type)
    try:
        current_app.send_task(
            RUN_JOB_TASK, args=(job_id,), retry=False, soft_time_limit=soft, time_limit=hard
        )
    except Exception:  # any broker failure: the sweeper re-sends from the job table
        log.warning("could not publish job %s; the sweeper will re-send it", job_id, exc_info=True)
        return False
    return True


class Publisher:
    """One background thread per process that publishes queued doorbells in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = -1
        self._queue: queue.Queue[tuple[int, str]] = queue.Queue(MAX_WAITING)
        self._thread: threading.Thread | None = None

    def submit(self, job_id: int, job_type: str) -> None:
        self._ensure_thread()
        try:
            self._queue.put_nowait((job_id, job_type))
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
            job_id, job_type = self._queue.get()
            try:
                publish_run_job(job_id, job_type)
            finally:
                self._queue.task_done()


publisher = Publisher()
atexit.register(publisher.drain, 2.0)  # a short-lived process sends what it committed


_held: ContextVar[list[tuple[int, str]] | None] = ContextVar("held_doorbells", default=None)


def dispatch_after_commit(job_id: int, job_type: str) -> None:
    """Queue the job's doorbell once the current transaction commits (or hold it for
    the caller of ``held_doorbells``)."""
    held = _held.get()
    if held is not None:
        held.append((job_id, job_type))
        return
    transaction.on_commit(lambda: publisher.submit(job_id, job_type))


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
