"""The periodic safety net under the broker: expired locks are released (the worker
died or overran) and jobs whose message was lost are sent again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bpmn_engine.errors import JobNotActiveError
from bpmn_engine.jobs.dispatch import batched, publish_run_jobs
from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState
from bpmn_engine.services.job_outcomes import ExpiredLease, Failed, report_outcome
from bpmn_engine.services.transactions import command

BATCH = 500


def release_expired_locks(*, now: datetime | None = None) -> int:
    """Locked jobs past their lock expiry: an internal job counts the lost delivery as a
    failure (so a job that always kills its worker ends in an incident, not a loop); an
    external task goes back to the pool, as Camunda does. One short command per job."""
    now = now or timezone.now()
    expired = list(
        Job.objects.filter(state=JobState.LOCKED, lock_expires_at__lt=now)
        .order_by("lock_expires_at")
        .values_list("pk", "external", "lock_owner")[:BATCH]
    )
    released = 0
    for job_id, external, lock_owner in expired:
        try:
            if external:
                _return_to_pool(job_id, lock_owner, now)
            else:
                report_outcome(
                    job_id=job_id,
                    holder=ExpiredLease(lock_owner, now=now),
                    outcome=Failed(
                        f"Lock of {lock_owner} expired: the worker was lost or exceeded "
                        "the lock time"
                    ),
                    now=now,
                )
        except JobNotActiveError:
            continue  # reported, extended or released meanwhile
        released += 1
    return released


@command
def _return_to_pool(job_id: int, lock_owner: str, now: datetime) -> None:
    updated = Job.objects.filter(
        pk=job_id, state=JobState.LOCKED, lock_owner=lock_owner, lock_expires_at__lt=now
    ).update(state=JobState.PENDING, lock_owner="", lock_expires_at=None)
    if not updated:
        raise JobNotActiveError(f"Expected external task {job_id} to be still expired")


def dispatch_due_jobs(*, now: datetime | None = None) -> int:
    """Send ``run_job`` for due internal jobs never sent, or sent longer ago than the
    re-dispatch interval without being picked up (lost message, broker down at commit):
    several per message (``run_jobs``) where their limits match."""
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
    sent = 0
    for jobs in batched(due, int(settings.PROCESSION_JOB_BATCH_SIZE)):
        if not publish_run_jobs(jobs):
            break  # the broker is down: the rest wait for the next sweep, not a timeout each
        sent += len(jobs)
    return sent


def sweep_jobs(*, now: datetime | None = None) -> dict[str, int]:
    return {"released": release_expired_locks(now=now), "dispatched": dispatch_due_jobs(now=now)}
