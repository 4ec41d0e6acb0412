"""Audit events of job outcomes that happen outside the runtime (failures, incidents)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bpmn_engine.audit.writer import Actor, Entry, record_entries
from bpmn_engine.models.audit import AuditEventType


def record_job_failure(job: Any, *, owner: str, message: str, incident: Any, now: datetime) -> None:
    """``job.failed`` by the worker that held it (``owner``), and ``incident.raised`` when
    no retry is left; one insert."""
    actor = Actor.of(worker_id=owner)
    entries = [
        Entry(
            event_type=AuditEventType.JOB_FAILED,
            actor=actor,
            occurred_at=now,
            instance_id=job.instance_id,
            element_id=job.node_id,
            data={
                "job_id": job.pk,
                "attempt": job.attempts,
                "message": message[:2000],
                "retries_left": job.retries,
                "next_due_at": None if incident else job.due_at,
            },
        )
    ]
    if incident is not None:
        entries.append(
            Entry(
                event_type=AuditEventType.INCIDENT_RAISED,
                actor=actor,
                occurred_at=now,
                instance_id=job.instance_id,
                element_id=job.node_id,
                data={"incident_id": incident.pk, "kind": incident.kind, "message": message[:2000]},
            )
        )
    record_entries(entries)
