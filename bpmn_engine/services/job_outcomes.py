"""The one implementation of a job's outcome: completed, ended with a BPMN error, or
failed (retry later, or an incident raised through the runtime).

Who reports decides only the holder check: any active job (an operator or a test),
the lease of an in-process runner (fenced by its lock owner), or the external worker
that fetched and locked the task. ``services.jobs``, ``services.job_runner``,
``services.external_tasks`` and the sweeper all come here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import EllipsisType
from typing import Any

from django.utils import timezone

from bpmn_engine.errors import (
    ExternalTaskLockError,
    JobNotActiveError,
    NotFoundError,
    StaleJobLeaseError,
)
from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState
from bpmn_engine.persistence import job_rows, sql, store
from bpmn_engine.persistence.job_rows import Breaker
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.job_policy import fail_job, record_handler_outcome
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork

ACTIVE_JOB_STATES = (JobState.PENDING, JobState.LOCKED)
FAILED_JOB_INCIDENT = "failedJob"

# ---------------------------------------------------------------------------- holders


@dataclass(frozen=True)
class AnyHolder:
    """Whoever asks, as long as the job is still pending or locked."""

    external_only = False
    counts_for_breaker = False
    worker_id = ""

    def check(self, job: Job) -> None:
        if job.state not in ACTIVE_JOB_STATES:
            raise JobNotActiveError(f"Expected job {job.pk} to be active, but it is {job.state}")


@dataclass(frozen=True)
class LeaseHolder:
    """The in-process runner holding lease ``lock_owner`` (the fencing token); it knows
    the job's instance from its lease (``instance_id``), which saves a read."""

    lock_owner: str
    instance_id: int | None = None
    external_only = False
    counts_for_breaker = True

    @property
    def worker_id(self) -> str:
        return self.lock_owner

    def check(self, job: Job) -> None:
        if job.state != JobState.LOCKED or job.lock_owner != self.lock_owner:
            raise StaleJobLeaseError(
                f"Expected job {job.pk} to be held by {self.lock_owner}, "
                f"but it is {job.state} (held by {job.lock_owner or 'nobody'})"
            )


@dataclass(frozen=True)
class ExpiredLease(LeaseHolder):
    """The sweeper, for a lease that is still the same and has run out at ``now``."""

    now: datetime = field(default_factory=timezone.now)

    def check(self, job: Job) -> None:
        super().check(job)
        if job.lock_expires_at is None or job.lock_expires_at >= self.now:
            raise StaleJobLeaseError(f"Expected the lease on job {job.pk} to have expired")


@dataclass(frozen=True)
class WorkerHolder:
    """The external worker ``worker_id`` that fetched and locked the task."""

    worker_id: str
    external_only = True
    counts_for_breaker = False

    def check(self, job: Job) -> None:
        if job.state != JobState.LOCKED:
            raise ExternalTaskLockError(
                f"Expected external task {job.pk} to be locked by {self.worker_id}, "
                f"but it is {job.state}"
            )
        if job.lock_owner != self.worker_id:
            raise ExternalTaskLockError(
                f"Expected external task {job.pk} to be locked by {self.worker_id}, "
                f"but {job.lock_owner} holds it"
            )


Holder = AnyHolder | LeaseHolder | WorkerHolder

# ---------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Completed:
    variables: dict[str, Any] = field(default_factory=dict)
    succeeded = True


@dataclass(frozen=True)
class ErrorThrown:
    """A BPMN error: routed to a matching error boundary or event subprocess."""

    code: str
    message: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    succeeded = True  # the handler worked; the business said no


@dataclass(frozen=True)
class Failed:
    """A technical failure. ``retries``/``retry_in`` override the retry policy (external
    workers report both); ``retries=0`` raises the incident at once."""

    message: str
    details: str = ""
    retries: int | None = None
    retry_in: timedelta | None = None
    succeeded = False


Outcome = Completed | ErrorThrown | Failed


@command
def report_outcome(
    *,
    job_id: int,
    holder: Holder,
    outcome: Outcome,
    now: datetime | None = None,
    reload: bool = True,
) -> Job:
    """Apply ``outcome`` to job ``job_id`` if ``holder`` may report it; returns the job,
    read again after the step unless ``reload`` is off (the runner does not need it)."""
    work = UnitOfWork(now=now or timezone.now(), worker_id=holder.worker_id)
    job = apply_outcome(work, job_id=job_id, holder=holder, outcome=outcome)
    work.run()
    if reload:
        job.refresh_from_db()
    return job


def apply_outcome(
    work: UnitOfWork,
    *,
    job_id: int,
    holder: Holder,
    outcome: Outcome,
    locked: tuple[Job, Breaker | EllipsisType] | None = None,
) -> Job:
    """Queue ``outcome``'s step on ``work`` (inside the caller's command) once ``holder``
    is found to hold job ``job_id``; the caller runs the unit of work. ``locked``: the
    job and its breaker as the caller locked and read them after the job's instance
    (``...`` for a breaker to read again); else they are locked here."""
    job, breaker = _locked(job_id, holder, work) if locked is None else locked
    if locked is not None:
        holder.check(job)
    if holder.counts_for_breaker:
        record_handler_outcome(
            job.job_type, succeeded=outcome.succeeded, now=work.now, breaker=breaker
        )
    _APPLY[type(outcome)](work, job, outcome)
    return job


def _locked(job_id: int, holder: Holder, work: UnitOfWork) -> tuple[Job, Breaker]:
    """The job row, locked after its instance (the order every command takes), with its
    circuit breaker read alongside."""
    kind = "external task" if holder.external_only else "job"
    instance_id = getattr(holder, "instance_id", None)  # a lease knows it: no read
    if instance_id is None:
        rows = Job.objects.filter(pk=job_id)
        if holder.external_only:
            rows = rows.filter(external=True)
        instance_id = rows.values_list("instance_id", flat=True).first()
    if instance_id is None:
        raise NotFoundError(f"Expected to find {kind} {job_id}, but it does not exist")
    lock_job = job_rows.report_lock(job_id, instance_id, holder.external_only)
    try:
        rows = _lock_instance_then(work, instance_id, lock_job)
    except NotFoundError:
        raise NotFoundError(f"Expected to find {kind} {job_id}, but it does not exist") from None
    found = job_rows.job_with_breaker(rows)
    if found is None:
        raise NotFoundError(f"Expected to find {kind} {job_id}, but it does not exist")
    holder.check(found[0])
    return found


def _lock_instance_then(
    work: UnitOfWork, instance_id: int, statement: tuple[str, list[object]]
) -> list[tuple[Any, ...]]:
    """Lock and load the instance on ``work`` (unless it holds it already), then the rows
    of ``statement`` (on PostgreSQL in the lock's round trip)."""
    if instance_id in work.loaded:
        return sql.fetchall(*statement)
    row, rows = store.lock_instance_with(instance_id, statement)
    work.adopt(row)
    return rows


def _complete(work: UnitOfWork, job: Job, outcome: Completed) -> None:
    work.send(job.instance_id, tr.CompleteJob(wait_id=job.wait_id, variables=outcome.variables))


def _throw(work: UnitOfWork, job: Job, outcome: ErrorThrown) -> None:
    work.send(
        job.instance_id,
        tr.ThrowBpmnError(
            wait_id=job.wait_id,
            error_code=outcome.code,
            message=outcome.message,
            variables=outcome.variables,
        ),
    )


def _fail(work: UnitOfWork, job: Job, outcome: Failed) -> None:
    exhausted = fail_job(
        job,
        message=outcome.message,
        now=work.now,
        retries=outcome.retries,
        retry_in=outcome.retry_in,
    )
    if exhausted:
        work.send(
            job.instance_id,
            tr.ReportIncident(
                wait_id=job.wait_id,
                kind=FAILED_JOB_INCIDENT,
                message=outcome.message,
                keep_wait=True,
                details=outcome.details,
            ),
        )


_APPLY: dict[type, Callable[[UnitOfWork, Job, Any], None]] = {
    Completed: _complete,
    ErrorThrown: _throw,
    Failed: _fail,
}
