"""Running jobs with registered handlers: acquire a lease, run the handler outside any
lock, report the outcome in a short transaction fenced by the lease."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from bpmn_engine.audit import record
from bpmn_engine.errors import JobNotActiveError, LimitExceededError
from bpmn_engine.jobs.dispatch import time_limits_for
from bpmn_engine.jobs.handlers import BpmnError, HandlerNotFoundError, JobContext, get_handler
from bpmn_engine.jobs.results import UnstorableResultError, result_variables
from bpmn_engine.models import Job, ProcessInstance
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import JobState
from bpmn_engine.services.job_outcomes import (
    Completed,
    ErrorThrown,
    Failed,
    LeaseHolder,
    report_outcome,
)
from bpmn_engine.services.job_policy import breaker_admits, postpone_job
from bpmn_engine.services.jobs import job_inputs, job_variables
from bpmn_engine.services.limits import check_handler_result_size
from bpmn_engine.services.transactions import command

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobLease:
    """Proof that one worker holds a job for one attempt (the fencing token)."""

    job_id: int
    instance_id: int
    job_type: str
    lock_owner: str
    attempt: int


def lock_seconds_for(job_type: str, hard_limit: float | None = None) -> float:
    """A lease outlives the hard time limit (after which the pool kills the handler) by a
    margin, so no one runs the job again while its handler may still be running; a dead
    worker's lease expires soon after. ``hard_limit`` is the limit the message carried."""
    _, default_hard = time_limits_for(job_type)
    hard = max(hard_limit or 0.0, default_hard)
    return hard + float(settings.PROCESSION_JOB_LOCK_MARGIN_SECONDS)


@command
def acquire_job(
    *,
    job_id: int,
    worker_id: str,
    now: datetime | None = None,
    hard_limit: float | None = None,
) -> JobLease | None:
    """Lock a due job for this worker; None when it is not ours to run (done, cancelled,
    held by a live lease, not due, external, or held back by its circuit breaker)."""
    now = now or timezone.now()
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.external or job.state != JobState.PENDING or job.due_at > now:
        return None
    if ProcessInstance.objects.filter(pk=job.instance_id, suspended=True).exists():
        return None  # held back; resuming the instance dispatches it again
    job.attempts += 1
    postpone_to = breaker_admits(job, now=now)
    if postpone_to is not None:
        postpone_job(job, until=postpone_to)
        return None
    job.state = JobState.LOCKED
    job.lock_owner = f"{worker_id}#{job.attempts}"
    job.lock_expires_at = now + timedelta(seconds=lock_seconds_for(job.job_type, hard_limit))
    job.save()
    record(
        AuditEventType.JOB_LOCKED,
        worker_id=worker_id,
        instance_id=job.instance_id,
        element_id=job.node_id,
        data={"job_id": job.pk, "attempt": job.attempts, "lock_owner": job.lock_owner},
        now=now,
    )
    return JobLease(job.pk, job.instance_id, job.job_type, job.lock_owner, job.attempts)


def report_job_success(
    *, lease: JobLease, variables: dict[str, Any] | None = None, now: datetime | None = None
) -> None:
    report_outcome(
        job_id=lease.job_id,
        holder=LeaseHolder(lease.lock_owner),
        outcome=Completed(dict(variables or {})),
        now=now,
    )


def report_job_bpmn_error(
    *, lease: JobLease, error: BpmnError, now: datetime | None = None
) -> None:
    report_outcome(
        job_id=lease.job_id,
        holder=LeaseHolder(lease.lock_owner),
        outcome=ErrorThrown(error.code, error.message, error.variables),
        now=now,
    )


def report_job_failure(
    *,
    lease: JobLease,
    message: str,
    details: str = "",
    retry: bool = True,
    now: datetime | None = None,
) -> None:
    report_outcome(
        job_id=lease.job_id,
        holder=LeaseHolder(lease.lock_owner),
        outcome=Failed(message, details, retries=None if retry else 0),
        now=now,
    )


def execute_job(*, job_id: int, worker_id: str, hard_limit: float | None = None) -> str:
    """Run one job end to end; returns what happened (for logs and tests)."""
    lease = acquire_job(job_id=job_id, worker_id=worker_id, hard_limit=hard_limit)
    if lease is None:
        return "skipped"
    job = Job.objects.select_related("instance").get(pk=job_id)
    try:
        handler = get_handler(job.job_type)
    except HandlerNotFoundError as exc:
        report_job_failure(lease=lease, message=str(exc), retry=False)
        return "incident"
    context = JobContext(
        job_id=job.pk,
        job_type=job.job_type,
        idempotency_key=job.idempotency_key,
        variables=job_variables(job),
        inputs=job_inputs(job),
        headers=dict(job.headers),
        instance_id=job.instance_id,
        business_key=job.instance.business_key,
        node_id=job.node_id,
        attempt=lease.attempt,
    )
    try:
        result = handler.function(context)
    except BpmnError as error:
        return _report(report_job_bpmn_error, lease=lease, error=error) or "bpmn-error"
    except Exception as exc:  # any handler failure is retried, then an incident
        return (
            _report(
                report_job_failure,
                lease=lease,
                message=f"{type(exc).__name__}: {exc}",
                details=traceback.format_exc(),
            )
            or "failed"
        )
    try:
        variables = result_variables(result, job.result_variable)
        check_handler_result_size(variables)
    except (UnstorableResultError, LimitExceededError) as exc:
        return _report(report_job_failure, lease=lease, message=str(exc)) or "failed"
    return _report(report_job_success, lease=lease, variables=variables) or "completed"


def _report(report: Any, **kwargs: Any) -> str | None:
    try:
        report(**kwargs)
    except JobNotActiveError as exc:  # a stale lease too
        log.info("discarded a late job outcome: %s", exc)
        return "stale"
    return None
