"""Refuse new work while the job backlog is over its bound, instead of queueing forever."""

from __future__ import annotations

import time

from django.conf import settings

from bpmn_engine.errors import BackpressureError
from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState

RETRY_AFTER_SECONDS = 5
_last_clear: dict[str, float] = {}


def check_backlog() -> None:
    """Raise ``BackpressureError`` when more than ``PROCESSION_MAX_JOB_BACKLOG`` jobs wait.

    The count stops at the bound, so it costs the same however large the backlog; a
    backlog found under the bound is trusted for ``PROCESSION_BACKLOG_CHECK_SECONDS`` in
    this process, so busy starters do not count on every start."""
    bound = settings.PROCESSION_MAX_JOB_BACKLOG
    if bound <= 0:
        return
    now = time.monotonic()
    if now - _last_clear.get("checked", -1e9) < settings.PROCESSION_BACKLOG_CHECK_SECONDS:
        return
    waiting = Job.objects.filter(state__in=(JobState.PENDING, JobState.LOCKED), external=False)[
        : bound + 1
    ].count()
    if waiting <= bound:
        _last_clear["checked"] = now
    if waiting > bound:
        raise BackpressureError(
            f"Expected fewer than {bound} queued jobs to start new work, but more are waiting; "
            f"retry in {RETRY_AFTER_SECONDS} s",
            retry_after=RETRY_AFTER_SECONDS,
        )
