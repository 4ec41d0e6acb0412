"""Time limits of the jobs one ``run_job`` message runs.

A message may run a chain of jobs (see ``services.job_runner``), so Celery's limits, set
once per message, cannot be each job's. The worker enforces each job's own limits while
its handler runs: at the soft limit ``SoftTimeLimitExceeded`` is raised in the handler
(``SIGALRM``), at the hard limit the process kills itself (a watchdog thread), as the pool
does at a message's hard limit. The message's own limits, the job's plus the chain budget,
stay as the pool's backstop (for a handler that holds the GIL in C code, say): a job is
started only while the message's remaining hard limit covers the job's, and its lease
outlasts the message's hard limit.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

from bpmn_engine.jobs.dispatch import time_limits_for

#: Time kept back from a message's remaining limit for the report that follows a handler
#: (and for the skew between the pool's clock and ours).
REPORT_RESERVE_SECONDS = 1.0


@dataclass(frozen=True)
class MessageBudget:
    """What one ``run_job`` message may still spend: the monotonic time at which the pool
    kills it (its hard limit, counted from when the task started)."""

    hard_deadline: float

    @classmethod
    def starting_now(cls, hard_limit: float) -> MessageBudget:
        return cls(time.monotonic() + hard_limit)

    def remaining(self) -> float:
        return self.hard_deadline - time.monotonic()

    def lease_seconds_for(self, job_type: str) -> float | None:
        """The seconds a lease must last for ``job_type`` to run in this message (until
        the message's hard limit), or None when what is left does not cover the job's own
        hard limit and a report."""
        _, hard = time_limits_for(job_type)
        remaining = self.remaining()
        if remaining - REPORT_RESERVE_SECONDS < hard:
            return None
        return remaining

    @contextmanager
    def enforced(self, job_type: str) -> Iterator[None]:
        """Run the block under ``job_type``'s own soft and hard limits."""
        soft, hard = time_limits_for(job_type)
        with _own_limits(soft, hard):
            yield


@contextmanager
def _own_limits(soft: float, hard: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: the message's limits apply
        return
    previous = signal.signal(signal.SIGALRM, _soft_limit_reached)
    signal.setitimer(signal.ITIMER_REAL, soft)
    _watchdog.arm(hard)
    try:
        yield
    finally:
        _watchdog.disarm()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _soft_limit_reached(signum: int, frame: Any) -> None:
    raise SoftTimeLimitExceeded("the job's soft time limit")


class _Watchdog:
    """One thread per process that kills the process when a handler is still running at
    its hard limit: the pool replaces it, and the job's lease expires into a failed
    attempt, as after the pool's own hard limit. Arming and disarming it costs a lock."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._deadline: float | None = None
        self._started = False

    def forked(self) -> None:
        """A forked pool process starts afresh: its own lock, and its own thread."""
        self.__init__()  # type: ignore[misc]

    def arm(self, seconds: float) -> None:
        with self._changed:
            if not self._started:
                self._started = True
                threading.Thread(
                    target=self._run, name="procession-job-hard-limit", daemon=True
                ).start()
            self._deadline = time.monotonic() + seconds
            self._changed.notify()

    def disarm(self) -> None:
        with self._changed:
            self._deadline = None

    def _run(self) -> None:
        with self._changed:
            while True:
                if self._deadline is None:
                    self._changed.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left <= 0:
                    os.kill(os.getpid(), signal.SIGKILL)
                self._changed.wait(left)


_watchdog = _Watchdog()
os.register_at_fork(after_in_child=_watchdog.forked)
