"""Job outcomes reported by handlers and external workers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine.errors import JobNotActiveError, NotFoundError
from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState
from bpmn_engine.runtime import snapshot_variables
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork

ACTIVE_JOB_STATES = (JobState.PENDING, JobState.LOCKED)


def _locked_active_job(job_id: int, work: UnitOfWork) -> Job:
    instance_id = Job.objects.filter(pk=job_id).values_list("instance_id", flat=True).first()
    if instance_id is None:
        raise NotFoundError(f"Expected to find job {job_id}, but it does not exist")
    work.instance(instance_id)
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.state not in ACTIVE_JOB_STATES:
        raise JobNotActiveError(f"Expected job {job_id} to be active, but it is {job.state}")
    return job


@command
def complete_job(
    *, job_id: int, variables: dict[str, Any] | None = None, now: datetime | None = None
) -> Job:
    """The job's work is done: continue the instance with ``variables``."""
    work = UnitOfWork(now=now or timezone.now())
    job = _locked_active_job(job_id, work)
    work.send(job.instance_id, tr.CompleteJob(wait_id=job.wait_id, variables=variables or {}))
    work.run()
    job.refresh_from_db()
    return job


@command
def throw_job_error(
    *,
    job_id: int,
    error_code: str,
    message: str | None = None,
    variables: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Job:
    """The job ended with a BPMN error: route it to the matching error boundary event."""
    work = UnitOfWork(now=now or timezone.now())
    job = _locked_active_job(job_id, work)
    work.send(
        job.instance_id,
        tr.ThrowBpmnError(
            wait_id=job.wait_id,
            error_code=error_code,
            message=message,
            variables=variables or {},
        ),
    )
    work.run()
    job.refresh_from_db()
    return job


def job_variables(job: Job) -> dict[str, Any]:
    """The variables a job's handler sees: everything visible from its activity's scope.

    Only the state snapshot is needed: no model, no lock (a read for the handler's input)."""
    return snapshot_variables(job.instance.state, job.wait_id)
