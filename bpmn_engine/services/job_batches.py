"""Several jobs per message: leased in one statement, their handlers run one after another
(each under its own limits), their outcomes reported in one transaction.

A batch's report locks its instances in ascending id order and applies each outcome with
its own lease fencing, breaker, retries and audit trail, as a single report does. When
the batch report fails as a whole (a version conflict, a limit, a job gone), it is rolled
back and every outcome is reported again on its own, so one job's trouble neither loses
nor corrupts the others'. Leases last until the message's hard limit and the lock
margin: a worker killed mid-batch leaves them to expire, and the sweeper sends the jobs
again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from bpmn_engine.audit.writer import Actor, Entry, record_entries
from bpmn_engine.errors import EngineError, JobNotActiveError, NotFoundError, StaleJobLeaseError
from bpmn_engine.jobs.dispatch import dispatch_after_commit, held_doorbells
from bpmn_engine.jobs.time_limits import MessageBudget
from bpmn_engine.models import Job
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import BreakerState, JobState
from bpmn_engine.persistence import job_rows, sql
from bpmn_engine.services.job_outcomes import Failed, LeaseHolder, Outcome, apply_outcome
from bpmn_engine.services.job_runner import (
    JobLease,
    Next,
    claim_in_report,
    lease_locked_job,
    lock_seconds_for,
    lock_seconds_guess,
    report_and_claim_next,
    run_handler,
)
from bpmn_engine.services.limits import command_budget
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Leased = tuple[JobLease, Job]
Ran = tuple[JobLease, Outcome, str]


def execute_jobs(
    *,
    job_ids: list[int],
    worker_id: str,
    hard_limit: float | None = None,
    budget: MessageBudget | None = None,
    ahead: int = 0,
    ahead_types: Sequence[str] = (),
) -> str:
    """Run the jobs of one message: lease those that may run (and up to ``ahead`` more
    due jobs of ``ahead_types`` waiting for a worker), run their handlers one after
    another, report the outcomes together; then the same for the jobs those reports
    leased next (as ``execute_job`` does for one job) while ``budget`` lasts. A leased
    job the budget no longer covers, or not started once the batch's handlers have run
    for ``PROCESSION_JOB_BATCH_SLICE_SECONDS``, is released and sent again in a message
    of its own. Returns the outcomes joined by ``,`` ("skipped" when no job was ours to
    run)."""
    acquired = claim_jobs_to_run(
        job_ids=job_ids,
        worker_id=worker_id,
        hard_limit=hard_limit,
        ahead=ahead,
        ahead_types=list(ahead_types),
    )
    if not acquired:
        return "skipped"
    outcomes: list[str] = []
    slice_seconds = float(settings.PROCESSION_JOB_BATCH_SLICE_SECONDS)
    while acquired:
        ran: list[Ran] = []
        left: list[Leased] = []
        slice_ends = time.monotonic() + slice_seconds
        for index, (lease, job) in enumerate(acquired):
            if budget is not None and budget.lease_seconds_for(job.job_type) is None:
                left = acquired[index:]  # the time only shrinks: none of the rest is covered
                break
            if index and time.monotonic() > slice_ends:
                left = acquired[index:]  # slow handlers: the rest go to other workers
                break
            outcome, label = run_handler(lease, job, budget=budget)
            ran.append((lease, outcome, label))
        acquired = _report(ran, worker_id=worker_id, budget=budget, outcomes=outcomes)
        outcomes.extend(release_job(lease=lease) for lease, _ in left)
    return ",".join(outcomes)


@command
def claim_jobs_to_run(
    *,
    job_ids: list[int],
    worker_id: str,
    hard_limit: float | None = None,
    ahead: int = 0,
    ahead_types: list[str] | None = None,
) -> list[Leased]:
    """Lease every job of ``job_ids`` that may run now (``claim_job_to_run`` for a set,
    ascending ids), and up to ``ahead`` more due jobs of ``ahead_types``: one statement
    for the common case; a job of ``job_ids`` it leaves out that may still be ours (a
    breaker not closed) takes the slow way. A job another transaction holds is skipped:
    whoever holds it runs it or dispatches it again."""
    now = timezone.now()
    guess = lock_seconds_guess(hard_limit)
    jobs = []
    for job, _ in job_rows.lock_due_jobs(
        job_ids,
        worker_id=worker_id,
        now=now,
        lock_seconds=guess,
        ahead=ahead,
        ahead_types=ahead_types or (),
    ):
        exact = lock_seconds_for(job.job_type, hard_limit)
        if exact != guess:  # the handler's own limit is longer than the message's
            job.lock_expires_at = now + timedelta(seconds=exact)
            job_rows.extend_lease(job.pk, until=job.lock_expires_at)
        jobs.append(job)
    taken = {job.pk for job in jobs}
    missing = [pk for pk in job_ids if pk not in taken]
    if missing:
        candidates = (
            Job.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("instance")
            .filter(pk__in=missing, state=JobState.PENDING, external=False, due_at__lte=now)
            .order_by("pk")
        )
        jobs.extend(
            job
            for job in candidates
            if lease_locked_job(job, worker_id=worker_id, now=now, hard_limit=hard_limit)
        )
    jobs.sort(key=lambda job: job.pk)
    actor = Actor.of(worker_id=worker_id)
    record_entries(
        Entry(
            event_type=AuditEventType.JOB_LOCKED,
            actor=actor,
            occurred_at=now,
            instance_id=job.instance_id,
            definition_id=job.instance.definition_id,
            element_id=job.node_id,
            data={"job_id": job.pk, "attempt": job.attempts, "lock_owner": job.lock_owner},
        )
        for job in jobs
    )
    return [
        (JobLease(job.pk, job.instance_id, job.job_type, job.lock_owner, job.attempts), job)
        for job in jobs
    ]


@command
def release_job(*, lease: JobLease) -> str:
    """Give back a leased job this message will not run (its time ran out, or the
    handlers before it were slow): pending again, sent after the commit in a message of
    its own, so whichever worker is free takes it. Its attempt stays counted, so the next
    lease has a lock owner of its own."""
    released = Job.objects.filter(
        pk=lease.job_id, state=JobState.LOCKED, lock_owner=lease.lock_owner
    ).update(state=JobState.PENDING, lock_owner="", lock_expires_at=None, dispatched_at=None)
    if not released:
        return "stale"
    dispatch_after_commit(lease.job_id, lease.job_type, alone=True)
    return "released"


def _report(
    ran: list[Ran], *, worker_id: str, budget: MessageBudget | None, outcomes: list[str]
) -> list[Leased]:
    """Report ``ran`` (appending each label to ``outcomes``): together when there are
    several, one by one when that fails. Returns the jobs leased next."""
    if len(ran) > 1:
        try:
            stale, leased = report_batch(
                reports=[(lease, outcome) for lease, outcome, _ in ran],
                worker_id=worker_id,
                budget=budget,
            )
        except EngineError as exc:
            log.info("reporting %d job outcomes one by one after: %s", len(ran), exc)
        else:
            outcomes.extend("stale" if lease.job_id in stale else label for lease, _, label in ran)
            return leased
    leased = []
    for lease, outcome, label in ran:
        try:
            following = report_and_claim_next(
                lease=lease, outcome=outcome, worker_id=worker_id, budget=budget
            )
        except JobNotActiveError as exc:  # a stale lease too
            log.info("discarded a late job outcome: %s", exc)
            outcomes.append("stale")
            continue
        except EngineError:  # the lease expires and the sweeper counts a failed attempt
            log.exception("could not report job %s", lease.job_id)
            outcomes.append("unreported")
            continue
        outcomes.append(label)
        if following is not None:
            leased.append(following)
    return leased


@command
def report_batch(
    *,
    reports: list[tuple[JobLease, Outcome]],
    worker_id: str,
    budget: MessageBudget | None,
    now: datetime | None = None,
) -> tuple[set[int], list[Leased]]:
    """Report several leased jobs' outcomes in one transaction: their instances locked in
    ascending id order, then their jobs with their breakers in one statement; each
    outcome applied as ``report_and_claim_next`` applies it (its lease fencing, its
    actor, a budget of its own, its audit events in the same order), and the first job
    each report creates leased for this worker while ``budget`` covers it. Returns the
    ids of jobs whose lease had gone stale (nothing applied for them) and the jobs
    leased next."""
    work = UnitOfWork(now=now or timezone.now())
    reports = sorted(reports, key=lambda report: (report[0].instance_id, report[0].job_id))
    instance_ids = sorted({lease.instance_id for lease, _ in reports})
    work.lock_top_level(instance_ids)
    for instance_id in instance_ids:  # a called instance: its ancestors first, one by one
        work.instance(instance_id)
    locked = job_rows.lock_jobs_for_report([lease.job_id for lease, _ in reports])
    stale: set[int] = set()
    created_by: list[list[tuple[int, str]]] = []
    changed_breakers: set[str] = set()
    for lease, outcome in reports:
        found = locked.get(lease.job_id)
        if lease.instance_id in work.stepped:  # a step before may have changed or ended it
            found = job_rows.job_with_breaker(
                sql.fetchall(*job_rows.report_lock(lease.job_id, lease.instance_id, False))
            )
        if found is None or found[0].instance_id != lease.instance_id:
            raise NotFoundError(f"Expected to find job {lease.job_id}, but it does not exist")
        job, breaker = found
        holder = LeaseHolder(lease.lock_owner, instance_id=lease.instance_id)
        try:
            holder.check(job)
        except StaleJobLeaseError as exc:
            log.info("discarded a late job outcome: %s", exc)
            stale.add(job.pk)
            continue
        # A breaker this batch has written is read again; one left alone is still current.
        read = ... if job.job_type in changed_breakers else breaker
        if not outcome.succeeded or read not in (None, (BreakerState.CLOSED, 0)):
            changed_breakers.add(job.job_type)
        if isinstance(outcome, Failed):
            # A failure records its event at once (``fail_job``): the events of the jobs
            # before it go first, in the order their own reports would have written them.
            work.flush_audit()
        work.audit_actor, work.budget = Actor.of(worker_id=lease.lock_owner), command_budget()
        with held_doorbells() as created:
            apply_outcome(work, job_id=job.pk, holder=holder, outcome=outcome, locked=(job, read))
            work.process()
        created_by.append(created)
    leased = []
    for created in created_by:
        claimed: Next = None
        for job_id, job_type in created:
            if claimed is None and budget is not None:
                claimed = claim_in_report(work, job_id, job_type, worker_id, budget)
                if claimed is not None:
                    leased.append(claimed)
                    continue
            dispatch_after_commit(job_id, job_type)
    work.flush_audit()
    return stale, leased
