"""Running jobs with registered handlers: acquire a lease, run the handler outside any
lock, report the outcome in a short transaction fenced by the lease."""

from __future__ import annotations

import logging
import time
import traceback
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from bpmn_engine.audit import record
from bpmn_engine.audit.writer import Actor, Entry
from bpmn_engine.errors import JobNotActiveError, LimitExceededError
from bpmn_engine.jobs import handler_timing
from bpmn_engine.jobs.dispatch import dispatch_after_commit, held_doorbells, time_limits_for
from bpmn_engine.jobs.handlers import (
    BpmnError,
    HandlerNotFoundError,
    JobContext,
    get_handler,
    has_handler,
)
from bpmn_engine.jobs.results import UnstorableResultError, result_variables
from bpmn_engine.jobs.time_limits import MessageBudget
from bpmn_engine.models import Job
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import JobState
from bpmn_engine.persistence import job_rows
from bpmn_engine.services.job_outcomes import (
    Completed,
    ErrorThrown,
    Failed,
    LeaseHolder,
    Outcome,
    apply_outcome,
    report_outcome,
)
from bpmn_engine.services.job_policy import breaker_admits, postpone_job
from bpmn_engine.services.jobs import job_inputs, job_snapshot, job_variables
from bpmn_engine.services.limits import check_handler_result_size
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
    acquired = _acquire(job_id=job_id, worker_id=worker_id, now=now, hard_limit=hard_limit)
    return acquired[0] if acquired else None


@command
def claim_job_to_run(
    *, job_id: int, worker_id: str, hard_limit: float | None = None
) -> tuple[JobLease, Job] | None:
    """``acquire_job`` that also hands back the job row with its instance, read by the
    same locking statement (what the handler needs: no second read)."""
    return _acquire(job_id=job_id, worker_id=worker_id, now=None, hard_limit=hard_limit)


def _acquire(
    *, job_id: int, worker_id: str, now: datetime | None, hard_limit: float | None
) -> tuple[JobLease, Job] | None:
    now = now or timezone.now()
    # The common case, one statement: the job leased if it may run, its instance read
    # alongside. Anything else (not ours, not due, a breaker not closed) is decided below.
    guess = lock_seconds_guess(hard_limit)
    leased = job_rows.lock_due_job(job_id, worker_id=worker_id, now=now, lock_seconds=guess)
    if leased is not None:
        job, instance = leased
        exact = lock_seconds_for(job.job_type, hard_limit)
        if exact != guess:  # the handler's own limit is longer than the message's
            job.lock_expires_at = now + timedelta(seconds=exact)
            job_rows.extend_lease(job.pk, until=job.lock_expires_at)
        return _leased(job, instance.definition_id, worker_id, now)
    # One statement: the job locked, its instance read (not locked) alongside.
    job = (
        Job.objects.select_for_update(of=("self",))
        .select_related("instance")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        return None
    if not lease_locked_job(job, worker_id=worker_id, now=now, hard_limit=hard_limit):
        return None
    return _leased(job, job.instance.definition_id, worker_id, now)


def lease_locked_job(job: Job, *, worker_id: str, now: datetime, hard_limit: float | None) -> bool:
    """The slow way to a lease, for a job the caller has locked (with its instance read):
    False when it is not ours to run (done, external, not due, its instance suspended) or
    its circuit breaker holds it back (then it is postponed); True once it is leased."""
    if job.external or job.state != JobState.PENDING or job.due_at > now:
        return False
    if job.instance.suspended:
        return False  # held back; resuming the instance dispatches it again
    job.attempts += 1
    postpone_to = breaker_admits(job, now=now)
    if postpone_to is not None:
        postpone_job(job, until=postpone_to)
        return False
    job.state = JobState.LOCKED
    job.lock_owner = f"{worker_id}#{job.attempts}"
    job.lock_expires_at = now + timedelta(seconds=lock_seconds_for(job.job_type, hard_limit))
    job.save(update_fields=["attempts", "state", "lock_owner", "lock_expires_at"])
    return True


def lock_seconds_guess(hard_limit: float | None) -> float:
    """The lease a message's hard limit asks for (its job type may still ask for more)."""
    return (hard_limit or 0.0) + float(settings.PROCESSION_JOB_LOCK_MARGIN_SECONDS)


def _leased(job: Job, definition_id: int, worker_id: str, now: datetime) -> tuple[JobLease, Job]:
    record(
        AuditEventType.JOB_LOCKED,
        worker_id=worker_id,
        instance_id=job.instance_id,
        definition_id=definition_id,  # known: no lookup by the audit writer
        element_id=job.node_id,
        data={"job_id": job.pk, "attempt": job.attempts, "lock_owner": job.lock_owner},
        now=now,
    )
    lease = JobLease(job.pk, job.instance_id, job.job_type, job.lock_owner, job.attempts)
    return lease, job


def report_job_success(
    *, lease: JobLease, variables: dict[str, Any] | None = None, now: datetime | None = None
) -> None:
    report_outcome(
        job_id=lease.job_id,
        holder=LeaseHolder(lease.lock_owner, instance_id=lease.instance_id),
        reload=False,
        outcome=Completed(dict(variables or {})),
        now=now,
    )


def report_job_bpmn_error(
    *, lease: JobLease, error: BpmnError, now: datetime | None = None
) -> None:
    report_outcome(
        job_id=lease.job_id,
        holder=LeaseHolder(lease.lock_owner, instance_id=lease.instance_id),
        reload=False,
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
        holder=LeaseHolder(lease.lock_owner, instance_id=lease.instance_id),
        reload=False,
        outcome=Failed(message, details, retries=None if retry else 0),
        now=now,
    )


def execute_job(
    *,
    job_id: int,
    worker_id: str,
    hard_limit: float | None = None,
    budget: MessageBudget | None = None,
) -> str:
    """Run one job end to end; returns what happened (for logs and tests). With a
    ``budget`` (the message's time left), each report that creates a job of this engine
    leases it in the same transaction while the budget covers that job's limits, and the
    job runs next in this call, under its own limits: outcomes joined by ``,``."""
    acquired = claim_job_to_run(job_id=job_id, worker_id=worker_id, hard_limit=hard_limit)
    if acquired is None:
        return "skipped"
    outcomes = []
    while acquired is not None:
        outcome, acquired = _run(*acquired, worker_id=worker_id, budget=budget)
        outcomes.append(outcome)
    return ",".join(outcomes)


Next = tuple[JobLease, Job] | None


def _run(
    lease: JobLease, job: Job, *, worker_id: str, budget: MessageBudget | None
) -> tuple[str, Next]:
    """Run one leased job's handler and report it; the job leased for next, if any."""
    outcome, done = run_handler(lease, job, budget=budget)
    try:
        return done, report_and_claim_next(
            lease=lease, outcome=outcome, worker_id=worker_id, budget=budget
        )
    except JobNotActiveError as exc:  # a stale lease too
        log.info("discarded a late job outcome: %s", exc)
        return "stale", None


def run_handler(lease: JobLease, job: Job, *, budget: MessageBudget | None) -> tuple[Outcome, str]:
    """Run one leased job's handler under its own limits (no transaction open); the
    outcome to report and its label (``completed``, ``bpmn-error``, ``failed``,
    ``incident``)."""
    try:
        handler = get_handler(job.job_type)
    except HandlerNotFoundError as exc:
        return Failed(str(exc), retries=0), "incident"
    snapshot = job_snapshot(job)
    context = JobContext(
        job_id=job.pk,
        job_type=job.job_type,
        idempotency_key=job.idempotency_key,
        variables=job_variables(job, snapshot),
        inputs=job_inputs(job, snapshot),
        headers=dict(job.headers),
        instance_id=job.instance_id,
        business_key=job.instance.business_key,
        node_id=job.node_id,
        attempt=lease.attempt,
    )
    started = time.perf_counter()
    try:
        with budget.enforced(job.job_type) if budget is not None else nullcontext():
            result = handler.function(context)
    except BpmnError as error:
        return ErrorThrown(error.code, error.message, error.variables), "bpmn-error"
    except Exception as exc:  # any handler failure is retried, then an incident
        message = f"{type(exc).__name__}: {exc}"
        return Failed(message, traceback.format_exc()), "failed"
    finally:
        handler_timing.observe(job.job_type, time.perf_counter() - started)
    try:
        variables = result_variables(result, job.result_variable)
        check_handler_result_size(variables)
    except (UnstorableResultError, LimitExceededError) as exc:
        return Failed(str(exc)), "failed"
    return Completed(dict(variables)), "completed"


@command
def report_and_claim_next(
    *,
    lease: JobLease,
    outcome: Outcome,
    worker_id: str,
    budget: MessageBudget | None,
    now: datetime | None = None,
) -> Next:
    """Report ``lease``'s outcome; then, in the same transaction, lease the first job the
    report created that this worker may run within ``budget`` (its doorbell is not rung:
    no message, and a lease that starts now, not when a queued message is taken). The
    other new jobs are dispatched as usual. A worker that dies holding the lease leaves
    it to expire, and the sweeper sends the job again."""
    work = UnitOfWork(now=now or timezone.now(), worker_id=lease.lock_owner)
    holder = LeaseHolder(lease.lock_owner, instance_id=lease.instance_id)
    with held_doorbells() as created:
        apply_outcome(work, job_id=lease.job_id, holder=holder, outcome=outcome)
        work.process()
    claimed: Next = None
    for job_id, job_type in created:
        if claimed is None and budget is not None:
            claimed = claim_in_report(work, job_id, job_type, worker_id, budget)
            if claimed is not None:
                continue
        dispatch_after_commit(job_id, job_type)
    work.flush_audit()
    return claimed


def claim_in_report(
    work: UnitOfWork, job_id: int, job_type: str, worker_id: str, budget: MessageBudget
) -> Next:
    """Lease a job the report just created, if it has a handler here and the message's
    time left covers its limits; the lease lasts until the message's hard limit and the
    margin. Its audit event joins the report's."""
    seconds = budget.lease_seconds_for(job_type) if has_handler(job_type) else None
    if seconds is None:
        return None
    margin = float(settings.PROCESSION_JOB_LOCK_MARGIN_SECONDS)
    leased = job_rows.lock_due_job(
        job_id, worker_id=worker_id, now=work.now, lock_seconds=seconds + margin, lock_head=False
    )
    if leased is None:  # a breaker not closed, a suspended instance: the usual way
        return None
    job, instance = leased
    work.audit.append(
        Entry(
            event_type=AuditEventType.JOB_LOCKED,
            actor=Actor.of(worker_id=worker_id),
            occurred_at=work.now,
            instance_id=job.instance_id,
            definition_id=instance.definition_id,
            element_id=job.node_id,
            data={"job_id": job.pk, "attempt": job.attempts, "lock_owner": job.lock_owner},
        )
    )
    return JobLease(job.pk, job.instance_id, job.job_type, job.lock_owner, job.attempts), job
