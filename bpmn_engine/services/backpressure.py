"""Refuse new work while the job backlog is over its bound, instead of queueing forever."""

from __future__ import annotations

from django.conf import settings

from bpmn_engine.errors import BackpressureError
from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState

RETRY_AFTER_SECONDS = 5


def check_backlog() -> None:
    """Raise ``BackpressureError`` when more than ``PROCESSION_MAX_JOB_BACKLOG`` jobs wait.

    The count stops at the bound, so the check costs the same however large the backlog."""
    bound = settings.PROCESSION_MAX_JOB_BACKLOG
    if bound <= 0:
        return
    waiting = Job.objects.filter(
        state__in=(JobState.PENDING, JobState.LOCKED), external=False
    )[: bound + 1].count()
    if waiting > bound:
        raise BackpressureError(
            f"Expected fewer than {bound} queued jobs to start new work, but more are waiting; "
            f"retry in {RETRY_AFTER_SECONDS} s",
            retry_after=RETRY_AFTER_SECONDS,
        )
