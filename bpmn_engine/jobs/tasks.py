"""Celery adapters: ids in, one service call out. No engine logic lives here."""

from __future__ import annotations

import os
import socket

from celery import shared_task
from django.conf import settings

from bpmn_engine import services
from bpmn_engine.jobs.dispatch import job_types_sent_with
from bpmn_engine.jobs.handler_timing import quick_types
from bpmn_engine.jobs.time_limits import MessageBudget
from bpmn_engine.services import job_batches, job_runner, job_sweeper
from bpmn_engine.services.audit_anchors import anchor_audit_chains


def worker_id(hostname: str | None) -> str:
    return f"{hostname or socket.gethostname()}:{os.getpid()}"


@shared_task(name="procession.run_job", bind=True, ignore_result=True)
def run_job(self, job_id: int) -> str:
    """Run one job's handler (a duplicate or late message finds nothing to do), and the
    jobs its report leases next while the message's time lasts. Each job runs under its
    own limits; the lease outlasts the hard time limit this message carries, so the pool
    kills an overrunning handler before anyone else may run the job again.

    Up to ``PROCESSION_JOB_CLAIM_AHEAD`` other due jobs waiting for a worker, of types
    that go out with the same limits and whose handlers have been quick in this worker
    (``PROCESSION_JOB_CLAIM_AHEAD_MAX_SECONDS``), are leased with it and run in this
    message as a batch (as ``run_jobs`` runs its jobs); their own messages then find
    them taken."""
    hard_limit, soft_limit = self.request.timelimit or (None, None)
    ahead = int(settings.PROCESSION_JOB_CLAIM_AHEAD)
    ahead_types = (
        quick_types(
            job_types_sent_with(soft_limit, hard_limit),
            float(settings.PROCESSION_JOB_CLAIM_AHEAD_MAX_SECONDS),
        )
        if hard_limit and soft_limit and ahead > 0
        else []
    )
    if not ahead_types:
        return job_runner.execute_job(
            job_id=job_id,
            worker_id=worker_id(self.request.hostname),
            hard_limit=hard_limit,
            budget=MessageBudget.starting_now(hard_limit) if hard_limit else None,
        )
    # Jobs waiting for a worker are taken along when they go out with this message's limits.
    return job_batches.execute_jobs(
        job_ids=[job_id],
        worker_id=worker_id(self.request.hostname),
        hard_limit=hard_limit,
        budget=MessageBudget.starting_now(hard_limit),
        ahead=ahead,
        ahead_types=ahead_types,
    )


@shared_task(name="procession.run_jobs", bind=True, ignore_result=True)
def run_jobs(self, job_ids: list[int]) -> str:
    """Run several jobs (doorbells the publisher found waiting together): leased in one
    statement, run one after another under each one's own limits, reported together;
    then the jobs their reports lease next, while the message's time lasts. A job that
    is not ours to run any more is skipped, as in ``run_job``."""
    hard_limit = (self.request.timelimit or (None, None))[0]
    return job_batches.execute_jobs(
        job_ids=[int(job_id) for job_id in job_ids],
        worker_id=worker_id(self.request.hostname),
        hard_limit=hard_limit,
        budget=MessageBudget.starting_now(hard_limit) if hard_limit else None,
    )


@shared_task(name="procession.sweep_jobs", ignore_result=True)
def sweep_jobs() -> dict[str, int]:
    """Release expired job locks and re-send jobs whose message was lost."""
    return job_sweeper.sweep_jobs()


@shared_task(name="procession.fire_due_timers", ignore_result=True)
def fire_due_timers(woken: bool = False) -> int:
    """Fire the timers that are due (run by the scheduler every second). When a full
    batch is waiting, one more poll message goes out so another worker shares the
    backlog (that one may call for help in turn); SKIP LOCKED keeps them apart. When the
    next timer falls due before the next regular poll, a wake-up message is sent for the
    moment it is due.

    A wake-up (``woken``) only sends a poll message and returns. It was held by its
    worker until its countdown ended, and Celery widens a worker's prefetch window while
    it holds such a message: that worker has then already asked the broker for its next
    message, which the broker hands it even while it is busy. Draining there, the call
    for help would go to that busy worker and wait for its drain to end. Once the
    wake-up has ended, the worker's pending request takes at most the poll itself, and
    the call for help reaches an idle worker."""
    if woken:
        fire_due_timers.delay()
        return 0
    return services.fire_due_timers(
        call_for_help=fire_due_timers.delay,
        wake=lambda seconds: fire_due_timers.apply_async(kwargs={"woken": True}, countdown=seconds),
        horizon=settings.TIMER_POLL_SECONDS,
    )


@shared_task(name="procession.anchor_audit", ignore_result=True)
def anchor_audit() -> int:
    """Anchor the audit chains that moved (run by the scheduler every few minutes)."""
    return anchor_audit_chains().streams
