"""Operator actions on incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine.errors import IncidentNotOpenError, NotFoundError
from bpmn_engine.models import Incident
from bpmn_engine.models.work import IncidentState
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork


@command
def retry_incident(*, incident_id: int, user: Any = None,
                   now: datetime | None = None) -> Incident:
    """Re-execute the node where the incident stopped the token."""
    instance_id = Incident.objects.filter(pk=incident_id).values_list(
        "instance_id", flat=True).first()
    if instance_id is None:
        raise NotFoundError(f"Expected to find incident {incident_id}, but it does not exist")
    work = UnitOfWork(now=now or timezone.now(),
                      actor=getattr(user, "username", "") or "", user=user)
    work.instance(instance_id)
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if incident.state != IncidentState.OPEN:
        raise IncidentNotOpenError(
            f"Expected to retry incident {incident_id}, but it is {incident.state}"
        )
    work.send(instance_id, tr.RetryIncident(incident_id=incident.incident_id))
    work.run()
    incident.refresh_from_db()
    return incident
