"""Jobs (service-task work for handlers) and external tasks (the jobs external workers
fetch and lock)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState

ACTIVE = (JobState.PENDING, JobState.LOCKED)


def job_list(
    *,
    queryset: QuerySet[Job] | None = None,
    states: tuple[str, ...] | None = ACTIVE,
    job_type: str | None = None,
    instance_id: int | None = None,
    external: bool | None = None,
) -> QuerySet[Job]:
    """Jobs in ``states`` (pending and locked unless told; None: any), oldest due first,
    with instance and definition joined (the state snapshot deferred): one query."""
    jobs = queryset if queryset is not None else Job.objects.all()
    if states is not None:
        jobs = jobs.filter(state__in=states)
    if job_type is not None:
        jobs = jobs.filter(job_type=job_type)
    if instance_id is not None:
        jobs = jobs.filter(instance_id=instance_id)
    if external is not None:
        jobs = jobs.filter(external=external)
    return (
        jobs.select_related("instance__definition")
        .defer("instance__state")
        .order_by("due_at", "id")
    )


def external_task_list(
    *,
    queryset: QuerySet[Job] | None = None,
    topic: str | None = None,
    worker_id: str | None = None,
    locked: bool | None = None,
    now: datetime | None = None,
) -> QuerySet[Job]:
    """Open external tasks (external jobs, pending or locked); ``topic`` is the job type.
    ``locked`` True keeps those whose lock has not expired at ``now``, False the others
    (``now`` defaults to the current time); ``worker_id`` the tasks that worker holds."""
    tasks = job_list(queryset=queryset, job_type=topic, external=True)
    if worker_id is not None:
        tasks = tasks.filter(lock_owner=worker_id)
    if locked is not None:
        held = Q(state=JobState.LOCKED, lock_expires_at__gt=now or timezone.now())
        tasks = tasks.filter(held) if locked else tasks.exclude(held)
    return tasks
