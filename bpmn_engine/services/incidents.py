"""Operator actions on incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine.audit import record
from bpmn_engine.errors import IncidentNotOpenError, NotFoundError
from bpmn_engine.jobs.dispatch import dispatch_after_commit
from bpmn_engine.models import Incident, Job
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import IncidentState, JobState
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork


@command
def retry_incident(
    *, incident_id: int, retries: int = 1, user: Any = None, now: datetime | None = None
) -> Incident:
    """Resolve the incident and try again: a failed job gets ``retries`` more attempts and
    runs at once; otherwise the node where the token stopped is re-executed."""
    instance_id = (
        Incident.objects.filter(pk=incident_id).values_list("instance_id", flat=True).first()
    )
    if instance_id is None:
        raise NotFoundError(f"Expected to find incident {incident_id}, but it does not exist")
    work = UnitOfWork(
        now=now or timezone.now(), actor=getattr(user, "username", "") or "", user=user
    )
    work.instance(instance_id)
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if incident.state != IncidentState.OPEN:
        raise IncidentNotOpenError(
            f"Expected to retry incident {incident_id}, but it is {incident.state}"
        )
    if incident.job_id is not None:
        _retry_job(incident, retries=retries, now=work.now)
        if incident.incident_id:  # the runtime's record of it (the token keeps waiting)
            work.send(instance_id, tr.ResolveIncident(incident_id=incident.incident_id))
            work.run()
    elif not incident.incident_id:
        # recorded after a rolled-back command (e.g. its budget ran out): the instance
        # still waits where it was; resolving it is all there is to retry
        incident.state, incident.resolved_at = IncidentState.RESOLVED, work.now
        incident.save(update_fields=["state", "resolved_at"])
    else:
        work.send(instance_id, tr.RetryIncident(incident_id=incident.incident_id))
        work.run()
    if not incident.incident_id:  # the runtime records the others (IncidentResolved)
        record(
            AuditEventType.INCIDENT_RESOLVED,
            user=user,
            instance_id=instance_id,
            element_id=incident.node_id,
            data={"incident_id": incident.pk, "job_id": incident.job_id, "retries": retries},
            now=work.now,
        )
    incident.refresh_from_db()
    record(
        AuditEventType.INCIDENT_RETRIED,
        user=user,
        instance_id=instance_id,
        definition_id=work.instance(instance_id).row.definition_id,
        element_id=incident.node_id,
        data={"incident_id": incident.pk, "kind": incident.kind, "retries": retries},
        now=work.now,
    )
    return incident


def _retry_job(incident: Incident, *, retries: int, now: datetime) -> None:
    job = Job.objects.select_for_update().get(pk=incident.job_id)
    if job.state != JobState.FAILED:
        raise IncidentNotOpenError(
            f"Expected job {job.pk} of incident {incident.pk} to have failed, but it is {job.state}"
        )
    job.state, job.retries, job.due_at = JobState.PENDING, max(retries, 1) - 1, now
    job.dispatched_at = None if job.external else now
    job.save()
    incident.state, incident.resolved_at = IncidentState.RESOLVED, now
    incident.save(update_fields=["state", "resolved_at"])
    if not job.external:
        dispatch_after_commit(job.pk, job.job_type)
