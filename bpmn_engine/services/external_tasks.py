"""External tasks: work fetched and locked by workers in any language or process
(Camunda 7's external task pattern), over the same job rows the Celery runner uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from bpmn_engine.audit import record
from bpmn_engine.audit.writer import Actor, Entry, record_entries
from bpmn_engine.errors import ExternalTaskLockError, NotFoundError
from bpmn_engine.models import Job
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import JobState
from bpmn_engine.services.job_outcomes import (
    Completed,
    ErrorThrown,
    Failed,
    WorkerHolder,
    report_outcome,
)
from bpmn_engine.services.jobs import job_variables
from bpmn_engine.services.transactions import command


@dataclass(frozen=True)
class TopicRequest:
    """One topic a worker asks for; ``variables`` None means all visible variables."""

    name: str
    lock_duration_ms: int = 300_000
    variables: tuple[str, ...] | None = None
    business_key: str | None = None
    process_definition_key: str | None = None


@dataclass(frozen=True)
class LockedExternalTask:
    id: int
    topic_name: str
    worker_id: str
    instance_id: int
    activity_id: str
    business_key: str | None
    process_definition_key: str
    process_definition_id: int
    lock_expiration_time: datetime
    retries: int | None
    error_message: str
    priority: int
    variables: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@command
def fetch_and_lock(
    *,
    worker_id: str,
    topics: list[TopicRequest],
    max_tasks: int = 1,
    use_priority: bool = False,
    now: datetime | None = None,
) -> list[LockedExternalTask]:
    """Lock up to ``max_tasks`` due external tasks of the given topics for ``worker_id``.

    Rows locked by a concurrent fetch are skipped (``SKIP LOCKED``), so two workers never
    receive the same task."""
    now = now or timezone.now()
    by_name = {topic.name: topic for topic in topics}
    if not by_name or max_tasks <= 0:
        return []
    order = ("-priority", "due_at", "id") if use_priority else ("due_at", "id")
    jobs = list(
        Job.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("instance", "instance__definition")
        .filter(_topics_filter(topics), external=True, state=JobState.PENDING, due_at__lte=now)
        .filter(instance__suspended=False)
        .order_by(*order)[:max_tasks]
    )
    for job in jobs:
        job.state, job.lock_owner = JobState.LOCKED, worker_id
        job.lock_expires_at = now + timedelta(milliseconds=by_name[job.job_type].lock_duration_ms)
        job.attempts += 1
        job.save(update_fields=["state", "lock_owner", "lock_expires_at", "attempts"])
    record_entries(_lock_entry(job, worker_id, now) for job in jobs)
    return [_locked_task(job, by_name[job.job_type]) for job in jobs]


def _lock_entry(job: Job, worker_id: str, now: datetime) -> Entry:
    return Entry(
        event_type=AuditEventType.EXTERNAL_TASK_LOCKED,
        actor=Actor.of(worker_id=worker_id),
        occurred_at=now,
        instance_id=job.instance_id,
        definition_id=job.instance.definition_id,
        element_id=job.node_id,
        data={
            "job_id": job.pk,
            "topic": job.job_type,
            "attempt": job.attempts,
            "lock_expires_at": job.lock_expires_at,
        },
    )


def _topics_filter(topics: list[TopicRequest]) -> Q:
    """Jobs of any requested topic that pass that topic's own filters."""
    combined = Q()
    for topic in topics:
        condition = Q(job_type=topic.name)
        if topic.business_key is not None:
            condition &= Q(instance__business_key=topic.business_key)
        if topic.process_definition_key is not None:
            condition &= Q(instance__definition__key=topic.process_definition_key)
        combined |= condition
    return combined


def _locked_task(job: Job, topic: TopicRequest) -> LockedExternalTask:
    variables = job_variables(job)
    if topic.variables is not None:
        variables = {k: v for k, v in variables.items() if k in topic.variables}
    return LockedExternalTask(
        id=job.pk,
        topic_name=job.job_type,
        worker_id=job.lock_owner,
        instance_id=job.instance_id,
        activity_id=job.node_id,
        business_key=job.instance.business_key,
        process_definition_key=job.instance.definition.key,
        process_definition_id=job.instance.definition_id,
        lock_expiration_time=job.lock_expires_at,
        retries=job.retries if job.last_error else None,
        error_message=job.last_error,
        priority=job.priority,
        variables=variables,
        headers=dict(job.headers),
    )


def _locked_by(job_id: int, worker_id: str) -> Job:
    """The external task row locked for ``worker_id`` (no instance lock: lock upkeep only)."""
    job = Job.objects.select_for_update().filter(pk=job_id, external=True).first()
    if job is None:
        raise NotFoundError(f"Expected to find external task {job_id}, but it does not exist")
    WorkerHolder(worker_id).check(job)
    return job


def complete_external_task(
    *,
    task_id: int,
    worker_id: str,
    variables: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    report_outcome(
        job_id=task_id,
        holder=WorkerHolder(worker_id),
        outcome=Completed(dict(variables or {})),
        now=now,
    )


def report_external_bpmn_error(
    *,
    task_id: int,
    worker_id: str,
    error_code: str,
    error_message: str | None = None,
    variables: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    report_outcome(
        job_id=task_id,
        holder=WorkerHolder(worker_id),
        outcome=ErrorThrown(error_code, error_message, dict(variables or {})),
        now=now,
    )


def report_external_failure(
    *,
    task_id: int,
    worker_id: str,
    error_message: str,
    error_details: str = "",
    retries: int = 0,
    retry_timeout_ms: int = 0,
    now: datetime | None = None,
) -> None:
    """The worker failed: with ``retries`` > 0 the task is fetchable again after
    ``retry_timeout_ms``; with 0 an incident is raised and it is no longer fetchable."""
    outcome = Failed(
        error_message,
        error_details,
        retries=retries,
        retry_in=timedelta(milliseconds=max(retry_timeout_ms, 0)),
    )
    report_outcome(job_id=task_id, holder=WorkerHolder(worker_id), outcome=outcome, now=now)


@command
def extend_external_task_lock(
    *, task_id: int, worker_id: str, new_duration_ms: int, now: datetime | None = None
) -> datetime:
    if new_duration_ms < 0:
        raise ExternalTaskLockError(
            f"Expected a lock duration of 0 ms or more, but got {new_duration_ms}"
        )
    job = _locked_by(task_id, worker_id)
    job.lock_expires_at = (now or timezone.now()) + timedelta(milliseconds=new_duration_ms)
    job.save(update_fields=["lock_expires_at"])
    record(
        AuditEventType.EXTERNAL_TASK_LOCK_EXTENDED,
        worker_id=worker_id,
        instance_id=job.instance_id,
        element_id=job.node_id,
        data={"job_id": job.pk, "lock_expires_at": job.lock_expires_at},
        now=now,
    )
    return job.lock_expires_at


@command
def unlock_external_task(*, task_id: int) -> None:
    """Return a locked task to the pool at once (an operator action)."""
    updated = Job.objects.filter(pk=task_id, external=True, state=JobState.LOCKED).update(
        state=JobState.PENDING, lock_owner="", lock_expires_at=None
    )
    if not updated and not Job.objects.filter(pk=task_id, external=True).exists():
        raise NotFoundError(f"Expected to find external task {task_id}, but it does not exist")
    if updated:
        job = Job.objects.values("instance_id", "node_id").get(pk=task_id)
        record(
            AuditEventType.EXTERNAL_TASK_UNLOCKED,
            instance_id=job["instance_id"],
            element_id=job["node_id"],
            data={"job_id": task_id},
        )
