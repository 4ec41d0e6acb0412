"""Fetch-and-lock with long polling, shared by the native and the Camunda-shaped API.

The request is held until a task of a requested topic is available or the timeout passes.
Between attempts a cheap read-only existence check runs every ``POLL_SECONDS`` (it takes no
lock, so waiting workers never queue on the writers); as soon as it sees a candidate, the
locking fetch runs. A task created while a worker waits is delivered within one poll
interval, not at the end of the timeout."""

from __future__ import annotations

import time

from django.conf import settings
from django.utils import timezone

from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState
from bpmn_engine.services.external_tasks import LockedExternalTask, TopicRequest, fetch_and_lock

POLL_SECONDS = 0.05


def _candidates_exist(topics: list[TopicRequest]) -> bool:
    return Job.objects.filter(
        external=True,
        state=JobState.PENDING,
        job_type__in=[t.name for t in topics],
        due_at__lte=timezone.now(),
    ).exists()


def fetch_and_lock_waiting(
    *,
    worker_id: str,
    topics: list[TopicRequest],
    max_tasks: int,
    use_priority: bool = False,
    timeout_ms: int = 0,
) -> list[LockedExternalTask]:
    """Lock up to ``max_tasks`` tasks, waiting up to ``timeout_ms`` (capped by
    ``PROCESSION_MAX_ASYNC_RESPONSE_MS``) for the first one to appear."""
    cap = settings.PROCESSION_MAX_ASYNC_RESPONSE_MS
    deadline = time.monotonic() + max(0, min(timeout_ms, cap)) / 1000
    while True:
        tasks = fetch_and_lock(
            worker_id=worker_id, topics=topics, max_tasks=max_tasks, use_priority=use_priority
        )
        if tasks or time.monotonic() >= deadline:
            return tasks
        while time.monotonic() < deadline:
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
            if _candidates_exist(topics):
                break
