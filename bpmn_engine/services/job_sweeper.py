"""The periodic safety net under the broker: expired locks are released (the worker
died or overran) and jobs whose message was lost are sent again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bpmn_engine.jobs.dispatch import publish_run_job
from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState
from bpmn_engine.services.job_policy import fail_job, record_handler_outcome
from bpmn_engine.services.transactions import command

BATCH = 500


@command
def release_expired_locks(*, now: datetime | None = None) -> int:
    """Locked jobs past their lock expiry: an internal job counts the lost delivery as a
    failure (so a job that always kills its worker ends in an incident, not a loop); an
    external task goes back to the pool, as Camunda does."""
    now = now or timezone.now()
    expired = list(
        Job.objects.select_for_update(skip_locked=True)
        .filter(state=JobState.LOCKED, lock_expires_at__lt=now)
        .order_by("lock_expires_at")[:BATCH]
    )
    for job in expired:
        if job.external:
            job.state, job.lock_owner, job.lock_expires_at = JobState.PENDING, "", None
            job.save()
            continue
        record_handler_outcome(job.job_type, succeeded=False, now=now)
        fail_job(
            job,
            message=f"Lock of {job.lock_owner} expired: the worker was lost or "
            "exceeded the lock time",
            now=now,
        )
    return len(expired)


def dispatch_due_jobs(*, now: datetime | None = None) -> int:
    """Send ``run_job`` for due internal jobs never sent, or sent longer ago than the
    re-dispatch interval without being picked up (lost message, broker down at commit)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.PROCESSION_JOB_REDISPATCH_SECONDS)
    with transaction.atomic(durable=True):
        due = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(
                state=JobState.PENDING,
                external=False,
                due_at__lte=now,
            )
            .exclude(dispatched_at__gte=stale)
            .order_by("due_at", "id")
            .values_list("pk", "job_type")[:BATCH]
        )
        Job.objects.filter(pk__in=[pk for pk, _ in due]).update(dispatched_at=now)
    return sum(publish_run_job(pk, job_type) for pk, job_type in due)


def sweep_jobs(*, now: datetime | None = None) -> dict[str, int]:
    return {"released": release_expired_locks(now=now), "dispatched": dispatch_due_jobs(now=now)}
