"""Incidents: where instances stopped and need an operator."""

from __future__ import annotations

from django.db.models import QuerySet

from bpmn_engine.models import Incident
from bpmn_engine.models.work import IncidentState


def incident_list(
    *,
    queryset: QuerySet[Incident] | None = None,
    state: str | None = IncidentState.OPEN,
    instance_id: int | None = None,
    kind: str | None = None,
    node_id: str | None = None,
    definition_key: str | None = None,
) -> QuerySet[Incident]:
    """Incidents (open ones unless ``state`` says otherwise; None: any), newest first, with
    instance, definition and job joined (the state snapshot deferred): one query."""
    incidents = queryset if queryset is not None else Incident.objects.all()
    if state is not None:
        incidents = incidents.filter(state=state)
    if instance_id is not None:
        incidents = incidents.filter(instance_id=instance_id)
    if kind is not None:
        incidents = incidents.filter(kind=kind)
    if node_id is not None:
        incidents = incidents.filter(node_id=node_id)
    if definition_key is not None:
        incidents = incidents.filter(instance__definition__key=definition_key)
    return (
        incidents.select_related("instance__definition", "job")
        .defer("instance__state")
        .order_by("-created_at", "-id")
    )
