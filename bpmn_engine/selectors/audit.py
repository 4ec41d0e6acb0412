"""The auditor's read side: instances filtered for review, one instance's trail, and the
events of a filtered set for export, each limited to the definitions the user may audit
(``bpmn_engine.permissions.audit_scope``). Every surface reads through these."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from bpmn_engine.audit.export import event_record
from bpmn_engine.errors import NotFoundError
from bpmn_engine.models import AuditEvent, ProcessInstance, VariableRow
from bpmn_engine.permissions import audit_scope


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor narrows a review to; every field optional."""

    definition_key: str = ""
    started_from: datetime | None = None
    started_to: datetime | None = None
    business_key: str = ""
    user: str = ""
    state: str = ""

    def as_scope(self) -> dict[str, Any]:
        values = {
            "definition_key": self.definition_key,
            "started_from": self.started_from.isoformat() if self.started_from else "",
            "started_to": self.started_to.isoformat() if self.started_to else "",
            "business_key": self.business_key,
            "user": self.user,
            "state": self.state,
        }
        return {k: v for k, v in values.items() if v}


def _in_scope(queryset: QuerySet, scope: set[int] | None, column: str) -> QuerySet:
    return queryset if scope is None else queryset.filter(**{f"{column}__in": scope})


def audited_instances(*, user: Any, filters: AuditFilter) -> QuerySet:
    """Instances ``user`` may audit matching ``filters``, newest first (state snapshot
    deferred). ``filters.user`` matches whoever started the instance or acted in it."""
    instances = _in_scope(ProcessInstance.objects.all(), audit_scope(user), "definition_id")
    if filters.definition_key:
        instances = instances.filter(definition__key=filters.definition_key)
    if filters.started_from:
        instances = instances.filter(started_at__gte=filters.started_from)
    if filters.started_to:
        instances = instances.filter(started_at__lt=filters.started_to)
    if filters.business_key:
        instances = instances.filter(business_key=filters.business_key)
    if filters.state:
        instances = instances.filter(status=filters.state)
    if filters.user:
        # ``exclude``: the actor index holds only events with an actor; SQLite uses a
        # partial index only for a query that repeats the index's condition.
        acted = AuditEvent.objects.exclude(actor_id="").filter(
            actor_id=filters.user, instance_id__isnull=False
        )
        instances = instances.filter(
            Q(started_by__username=filters.user) | Q(pk__in=acted.values("instance_id"))
        )
    return instances.select_related("definition").defer("state").order_by("-started_at", "-id")


def audited_events(*, user: Any, filters: AuditFilter) -> QuerySet:
    """The events of the instances ``audited_instances`` selects (for a set export): their
    streams (``instance:<id>``, the stream of every event that names an instance), found
    through the chain's unique (stream, seq) index; audit events keep no index of their
    own on ``instance_id``."""
    streams = (
        audited_instances(user=user, filters=filters)
        .order_by()
        .annotate(stream=Concat(Value("instance:"), Cast("pk", CharField())))
        .values("stream")
    )
    return AuditEvent.objects.filter(stream__in=streams)


@dataclass(frozen=True)
class InstanceTrail:
    instance: ProcessInstance
    events: QuerySet
    variables: list[VariableRow]


def instance_trail(*, user: Any, instance_id: int) -> InstanceTrail:
    """One instance ``user`` may audit with its events (a queryset in chain order) and
    current variables; ``NotFoundError`` when it does not exist or is out of scope (no
    existence oracle)."""
    instances = _in_scope(ProcessInstance.objects.all(), audit_scope(user), "definition_id")
    instance = instances.select_related("definition").defer("state").filter(pk=instance_id)
    found = instance.first()
    if found is None:
        raise NotFoundError(
            f"Expected to find process instance {instance_id}, but it does not exist"
        )
    return InstanceTrail(
        instance=found,
        events=instance_events(instance_id=instance_id),
        variables=list(
            VariableRow.objects.filter(instance_id=instance_id).order_by("scope_id", "name")
        ),
    )


def instance_events(*, instance_id: int) -> QuerySet:
    return AuditEvent.objects.filter(stream=f"instance:{instance_id}").order_by("seq")


def readable_event(event: AuditEvent) -> dict[str, Any]:
    """An event as the pages and the API show it: the exported record with ``data``
    decoded (the hash covers its canonical text, kept in the row)."""
    record = event_record(event)
    record["data"] = json.loads(event.data)
    return record


def readable_events(events: QuerySet) -> Iterator[dict[str, Any]]:
    """``readable_event`` over a queryset, read in chunks."""
    for event in events.iterator(chunk_size=2000):
        yield readable_event(event)
