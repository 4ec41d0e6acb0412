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
from bpmn_engine.errors import JobNotActiveError, StaleJobLeaseError
from bpmn_engine.jobs.handlers import BpmnError, HandlerNotFoundError, JobContext, get_handler
from bpmn_engine.models import Job, ProcessInstance
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import JobState
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.job_policy import (
    breaker_admits,
    fail_job,
    postpone_job,
    record_handler_outcome,
)
from bpmn_engine.services.jobs import job_variables
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobLease:
    """Proof that one worker holds a job for one attempt (the fencing token)."""

    job_id: int
    instance_id: int
    job_type: str
    lock_owner: str
    attempt: int


def lock_seconds_for(job_type: str) -> float:
    """A lease outlives the handler's time limit by a margin, so a live worker never
    loses its lease; a dead one's lease expires soon after."""
    try:
        timeout = get_handler(job_type).timeout
    except HandlerNotFoundError:
        timeout = 0
    return timeout + float(settings.PROCESSION_JOB_LOCK_MARGIN_SECONDS)


@command
def acquire_job(*, job_id: int, worker_id: str, now: datetime | None = None) -> JobLease | None:
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
    job.lock_expires_at = now + timedelta(seconds=lock_seconds_for(job.job_type))
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


def _leased_job(lease: JobLease, work: UnitOfWork | None = None) -> Job:
    if work is not None:
        work.instance(lease.instance_id)
    job = Job.objects.select_for_update().get(pk=lease.job_id)
    if job.state != JobState.LOCKED or job.lock_owner != lease.lock_owner:
        raise StaleJobLeaseError(
            f"Expected job {lease.job_id} to be held by {lease.lock_owner}, "
            f"but it is {job.state} (held by {job.lock_owner or 'nobody'})"
        )
    return job


@command
def report_job_success(
    *, lease: JobLease, variables: dict[str, Any] | None = None, now: datetime | None = None
) -> None:
    work = UnitOfWork(now=now or timezone.now(), worker_id=lease.lock_owner)
    job = _leased_job(lease, work)
    record_handler_outcome(job.job_type, succeeded=True, now=work.now)
    work.send(job.instance_id, tr.CompleteJob(wait_id=job.wait_id, variables=variables or {}))
    work.run()


@command
def report_job_bpmn_error(
    *, lease: JobLease, error: BpmnError, now: datetime | None = None
) -> None:
    work = UnitOfWork(now=now or timezone.now(), worker_id=lease.lock_owner)
    job = _leased_job(lease, work)
    record_handler_outcome(job.job_type, succeeded=True, now=work.now)
    work.send(
        job.instance_id,
        tr.ThrowBpmnError(
            wait_id=job.wait_id,
            error_code=error.code,
            message=error.message,
            variables=error.variables,
        ),
    )
    work.run()


@command
def report_job_failure(
    *,
    lease: JobLease,
    message: str,
    details: str = "",
    retry: bool = True,
    now: datetime | None = None,
) -> None:
    now = now or timezone.now()
    job = _leased_job(lease)
    record_handler_outcome(job.job_type, succeeded=False, now=now)
    fail_job(job, message=message, details=details, now=now, retries=None if retry else 0)


def execute_job(*, job_id: int, worker_id: str) -> str:
    """Run one job end to end; returns what happened (for logs and tests)."""
    lease = acquire_job(job_id=job_id, worker_id=worker_id)
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
    variables = _result_variables(result, job.result_variable)
    return _report(report_job_success, lease=lease, variables=variables) or "completed"


def _result_variables(result: Any, result_variable: str) -> dict[str, Any]:
    if result_variable:
        return {result_variable: result}
    if result is None:
        return {}
    if isinstance(result, dict):
        return result
    raise TypeError(f"Expected the handler to return a dict or None, but got {type(result)}")


def _report(report: Any, **kwargs: Any) -> str | None:
    try:
        report(**kwargs)
    except (StaleJobLeaseError, JobNotActiveError) as exc:
        log.info("discarded a late job outcome: %s", exc)
        return "stale"
    return None
