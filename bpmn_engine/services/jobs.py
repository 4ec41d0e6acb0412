"""Job outcomes reported by an operator or a test (any active job): thin entry points to
``job_outcomes.report_outcome``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bpmn_engine.models import Job
from bpmn_engine.persistence.state_parts import snapshot_parts
from bpmn_engine.runtime import snapshot_variables
from bpmn_engine.services.job_outcomes import AnyHolder, Completed, ErrorThrown, report_outcome


def complete_job(
    *, job_id: int, variables: dict[str, Any] | None = None, now: datetime | None = None
) -> Job:
    """The job's work is done: continue the instance with ``variables``."""
    return report_outcome(
        job_id=job_id, holder=AnyHolder(), outcome=Completed(dict(variables or {})), now=now
    )


def throw_job_error(
    *,
    job_id: int,
    error_code: str,
    message: str | None = None,
    variables: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Job:
    """The job ended with a BPMN error: route it to the matching error boundary event."""
    outcome = ErrorThrown(error_code, message, dict(variables or {}))
    return report_outcome(job_id=job_id, holder=AnyHolder(), outcome=outcome, now=now)


def job_inputs(job: Job, snapshot: dict[str, Any] | None = None) -> dict[str, Any]:
    """The job's input mappings: the variables of its activity's own I/O-mapping scope
    (empty when the task maps no inputs). ``snapshot``: ``job_snapshot(job)`` if read."""
    if snapshot is None:
        snapshot = job_snapshot(job)
    wait = snapshot.get("waits", {}).get(job.wait_id)
    scope = snapshot.get("scopes", {}).get(wait["scope_id"]) if wait else None
    if scope is None or not scope.get("local") or scope["node_id"] != job.node_id:
        return {}
    return dict(scope.get("variables", {}))


def job_variables(job: Job, snapshot: dict[str, Any] | None = None) -> dict[str, Any]:
    """The variables a job's handler sees: everything visible from its activity's scope.

    Only the state snapshot is needed: no model, no lock (a read for the handler's input).
    ``snapshot``: ``job_snapshot(job)`` if read."""
    if snapshot is None:
        snapshot = job_snapshot(job)
    return snapshot_variables(snapshot, job.wait_id)


def job_snapshot(job: Job) -> dict[str, Any]:
    """What the handler's input is made of: the job's wait and its scope chain (the parts
    of a split state, read once for both the variables and the inputs)."""
    return snapshot_parts(job.instance, job.wait_id)
