"""What a failed, lost or postponed job does next: retry later, or stop (the caller raises
the incident through the runtime); and the circuit breaker per job type. Callers hold the
job row lock."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import EllipsisType

from django.conf import settings

from bpmn_engine.audit.jobs import record_job_failure
from bpmn_engine.bpmn.timers import TimerDefinitionError
from bpmn_engine.jobs.retry_policy import retry_policy
from bpmn_engine.models import CircuitBreaker, Job
from bpmn_engine.models.work import BreakerState, JobState
from bpmn_engine.persistence import sql
from bpmn_engine.persistence.job_rows import Breaker


def _policy(job: Job):
    base = timedelta(seconds=settings.PROCESSION_JOB_BACKOFF_BASE_SECONDS)
    cap = timedelta(seconds=settings.PROCESSION_JOB_BACKOFF_MAX_SECONDS)
    try:
        return retry_policy(job.retry_time_cycle or None, base=base, cap=cap)
    except TimerDefinitionError:
        return retry_policy(None, base=base, cap=cap)


def fail_job(
    job: Job,
    *,
    message: str,
    now: datetime,
    retries: int | None = None,
    retry_in: timedelta | None = None,
) -> bool:
    """Count a failure: wait and retry while retries are left; True when none are left
    (the job is marked failed; the caller raises the incident through the runtime).

    ``retries``/``retry_in`` override the count and wait (external workers report both).
    """
    left = job.retries - 1 if retries is None else retries
    job.last_error = message[:10_000]
    owner, job.lock_owner, job.lock_expires_at = job.lock_owner, "", None
    if left < 0 or (retries is not None and retries <= 0):
        job.state, job.retries = JobState.FAILED, 0
        job.save()
        record_job_failure(job, owner=owner, message=message, incident=None, now=now)
        return True
    job.retries = left
    job.state = JobState.PENDING
    job.due_at = now + (retry_in if retry_in is not None else _policy(job).delay(job.attempts))
    job.dispatched_at = None
    job.save()
    record_job_failure(job, owner=owner, message=message, incident=None, now=now)
    return False


def postpone_job(job: Job, *, until: datetime) -> None:
    """Put the job back without burning a retry or counting a delivery."""
    job.state, job.due_at, job.dispatched_at = JobState.PENDING, until, None
    job.lock_owner, job.lock_expires_at = "", None
    job.attempts = max(job.attempts - 1, 0)
    job.save()


# ---------------------------------------------------------------------------- circuit breaker


def _is_closed(job_type: str, *, without_failures: bool = False) -> bool:
    # Read twice per job run: written once, no ORM query building (the table name comes
    # from the model, the job type is a bound parameter).
    found = sql.fetchone(
        f"SELECT state, consecutive_failures FROM {sql.table(CircuitBreaker)} "  # noqa: S608
        "WHERE job_type = %s",
        (job_type,),
    )
    if found is None:
        return True
    state, failures = found
    return state == BreakerState.CLOSED and (failures == 0 or not without_failures)


def breaker_admits(job: Job, *, now: datetime) -> datetime | None:
    """None when ``job`` may run now; else the time to postpone it to.

    Closed: run. Open: wait until the cool-down ends. Once it ends the breaker half-opens
    and admits exactly one probe job; the others wait until the probe reports.
    """
    if _is_closed(job.job_type):
        return None  # the common case reads one row and locks nothing
    breaker = CircuitBreaker.objects.select_for_update().filter(job_type=job.job_type).first()
    if breaker is None or breaker.state == BreakerState.CLOSED:
        return None
    cooldown = timedelta(seconds=settings.PROCESSION_BREAKER_COOLDOWN_SECONDS)
    if breaker.state == BreakerState.OPEN and breaker.open_until and now >= breaker.open_until:
        breaker.state, breaker.probe_job_id = BreakerState.HALF_OPEN, job.pk
        breaker.save()
        return None
    if breaker.state == BreakerState.HALF_OPEN and breaker.probe_job_id == job.pk:
        return None
    return breaker.open_until if breaker.state == BreakerState.OPEN else now + cooldown


def record_handler_outcome(
    job_type: str, *, succeeded: bool, now: datetime, breaker: Breaker | EllipsisType = ...
) -> None:
    """Close the breaker on success; count a failure and open it at the threshold.
    ``breaker`` is its (state, consecutive failures) when the caller read it already
    (None: no breaker row), which spares the read when there is nothing to reset."""
    if succeeded:
        if breaker is ...:
            if _is_closed(job_type, without_failures=True):
                return  # nothing to reset: no lock, no write
        elif breaker is None or breaker == (BreakerState.CLOSED, 0):
            return
    current, _ = CircuitBreaker.objects.select_for_update().get_or_create(job_type=job_type)
    if succeeded:
        if current.state != BreakerState.CLOSED or current.consecutive_failures:
            current.state, current.consecutive_failures = BreakerState.CLOSED, 0
            current.open_until = current.probe_job_id = None
            current.save()
        return
    current.consecutive_failures += 1
    threshold = settings.PROCESSION_BREAKER_THRESHOLD
    if current.state == BreakerState.HALF_OPEN or current.consecutive_failures >= threshold:
        current.state = BreakerState.OPEN
        current.open_until = now + timedelta(seconds=settings.PROCESSION_BREAKER_COOLDOWN_SECONDS)
        current.probe_job_id = None
    current.save()
