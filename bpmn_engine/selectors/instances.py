"""Process instances: lists (without the state snapshot) and one instance in detail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from bpmn_engine.errors import NotFoundError
from bpmn_engine.models import ActivityHistory, Incident, ProcessInstance
from bpmn_engine.models.history import ActivityState
from bpmn_engine.models.work import IncidentState
from bpmn_engine.persistence.state_parts import snapshot_parts
from bpmn_engine.runtime import snapshot_variables


def instance_list(
    *,
    queryset: QuerySet[ProcessInstance] | None = None,
    status: str | None = None,
    definition_key: str | None = None,
    business_key: str | None = None,
    parent_id: int | None = None,
) -> QuerySet[ProcessInstance]:
    """Instances, newest first, with their definition joined and the state snapshot
    deferred (lists never need it). Filters apply only when given."""
    instances = queryset if queryset is not None else ProcessInstance.objects.all()
    if status is not None:
        instances = instances.filter(status=status)
    if definition_key is not None:
        instances = instances.filter(definition__key=definition_key)
    if business_key is not None:
        instances = instances.filter(business_key=business_key)
    if parent_id is not None:
        instances = instances.filter(parent_id=parent_id)
    return instances.select_related("definition").defer("state").order_by("-started_at", "-id")


@dataclass(frozen=True)
class InstanceDetail:
    """One instance: its row (definition joined), the activity instances still active
    (in start order), its open incidents and its process (root scope) variables."""

    instance: ProcessInstance
    active_activities: list[ActivityHistory]
    incidents: list[Incident]
    variables: dict[str, Any]

    @property
    def active_node_ids(self) -> set[str]:
        """The nodes where control stands (for diagram markers)."""
        return {a.node_id for a in self.active_activities}


def instance_detail(
    *, instance_id: int, queryset: QuerySet[ProcessInstance] | None = None
) -> InstanceDetail:
    """The instance ``instance_id`` (looked up in ``queryset`` when given) in three queries.

    Raises ``NotFoundError`` when it does not exist or ``queryset`` hides it."""
    instances = queryset if queryset is not None else ProcessInstance.objects.all()
    instance = instances.select_related("definition").filter(pk=instance_id).first()
    if instance is None:
        raise NotFoundError(
            f"Expected to find process instance {instance_id}, but it does not exist"
        )
    active = list(
        ActivityHistory.objects.filter(instance=instance, state=ActivityState.ACTIVE).order_by(
            "started_at", "id"
        )
    )
    incidents = list(
        Incident.objects.filter(instance=instance, state=IncidentState.OPEN).order_by(
            "created_at", "id"
        )
    )
    return InstanceDetail(
        instance=instance,
        active_activities=active,
        incidents=incidents,
        variables=snapshot_variables(snapshot_parts(instance, None)),
    )
