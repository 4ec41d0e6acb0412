"""Read-only queries behind the console pages (no writes: commands go through services)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from bpmn_engine.models import (
    ActivityHistory,
    Incident,
    ProcessDefinition,
    ProcessInstance,
    VariableRow,
)
from bpmn_engine.selectors import instance_list

OPEN_INCIDENT = Exists(Incident.objects.filter(instance=OuterRef("pk"), state="open"))
INSTANCE_STATES = ("active", "completed", "cancelled", "terminated", "incident", "suspended")


def definitions_with_counts() -> QuerySet[ProcessDefinition]:
    """Every definition version with its running, completed and incident instance counts."""
    return ProcessDefinition.objects.select_related("deployment").annotate(
        running=Count("instances", filter=Q(instances__status="active"), distinct=True),
        completed=Count("instances", filter=Q(instances__status="completed"), distinct=True),
        with_incidents=Count(
            "instances", filter=Q(instances__incident_rows__state="open"), distinct=True
        ),
    )


@dataclass
class ProcessKey:
    key: str
    name: str
    versions: list[ProcessDefinition] = field(default_factory=list)

    @property
    def latest(self) -> ProcessDefinition:
        return self.versions[0]


def process_keys() -> list[ProcessKey]:
    """Definitions grouped by key, newest version first."""
    keys: dict[str, ProcessKey] = {}
    for definition in definitions_with_counts().order_by("key", "-version"):
        group = keys.setdefault(definition.key, ProcessKey(definition.key, definition.name))
        group.versions.append(definition)
    return list(keys.values())


@dataclass(frozen=True)
class InstanceFilter:
    """The instance search form's values (all optional)."""

    definition_key: str = ""
    version: int | None = None
    state: str = ""
    business_key: str = ""
    variable_name: str = ""
    variable_value: str = ""
    started_from: date | None = None
    started_to: date | None = None


def parse_variable_value(text: str) -> Any:
    """A search value is JSON when it parses (``42``, ``true``, ``"x"``), else a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def search_instances(search: InstanceFilter) -> QuerySet[ProcessInstance]:
    rows = instance_list(definition_key=search.definition_key or None).annotate(
        has_incident=OPEN_INCIDENT
    )
    if search.version is not None:
        rows = rows.filter(definition__version=search.version)
    if search.state == "incident":
        rows = rows.filter(has_incident=True)
    elif search.state == "suspended":
        rows = rows.filter(suspended=True, status="active")
    elif search.state:
        rows = rows.filter(status=search.state)
    if search.business_key:
        rows = rows.filter(business_key__icontains=search.business_key)
    if search.variable_name:
        variables = VariableRow.objects.filter(instance=OuterRef("pk"), name=search.variable_name)
        if search.variable_value:
            variables = variables.filter(value=parse_variable_value(search.variable_value))
        rows = rows.filter(Exists(variables))
    tz = timezone.get_current_timezone()
    if search.started_from:
        rows = rows.filter(started_at__gte=datetime.combine(search.started_from, time(), tz))
    if search.started_to:
        end = datetime.combine(search.started_to + timedelta(days=1), time(), tz)
        rows = rows.filter(started_at__lt=end)
    return rows


@dataclass(frozen=True)
class DiagramMarks:
    """What the instance diagram shows: element ids by marker kind."""

    active: list[str]
    completed: list[str]
    cancelled: list[str]
    incidents: list[str]
    flows: list[str]

    def as_data(self) -> dict[str, list[str]]:
        return {
            "active": self.active,
            "completed": self.completed,
            "cancelled": self.cancelled,
            "incident": self.incidents,
            "flows": self.flows,
        }


def instance_marks(instance: ProcessInstance, flows: dict[str, tuple[str, str]]) -> DiagramMarks:
    """Tokens now (token rows), the path taken (history) and open incidents. A flow counts
    as taken when its source completed and its target started later in this instance."""
    history = list(
        instance.activity_history.values_list("node_id", "state", "started_at", "ended_at")
    )
    completed_at: dict[str, datetime] = {}
    started: dict[str, list[datetime]] = {}
    for node_id, state, started_at, ended_at in history:
        started.setdefault(node_id, []).append(started_at)
        if state == "completed" and ended_at is not None:
            completed_at.setdefault(node_id, ended_at)
    taken = [
        flow_id
        for flow_id, (source, target) in flows.items()
        if source in completed_at
        and any(s >= completed_at[source] for s in started.get(target, ()))
    ]
    active = sorted(
        set(instance.tokens.exclude(state="listening").values_list("node_id", flat=True))
    )
    cancelled = sorted({n for n, s, _, _ in history if s == "cancelled"} - set(completed_at))
    incidents = sorted(
        set(instance.incident_rows.filter(state="open").values_list("node_id", flat=True))
    )
    return DiagramMarks(active, sorted(completed_at), cancelled, incidents, sorted(taken))


@dataclass(frozen=True)
class ElementHeat:
    node_id: str
    instances: int
    average: timedelta | None

    def as_data(self) -> dict[str, Any]:
        seconds = self.average.total_seconds() if self.average is not None else None
        return {"instances": self.instances, "average_seconds": seconds}


def heatmap(definition: ProcessDefinition) -> list[ElementHeat]:
    """Per element of one definition version: how many instances passed it and the
    average time an activity instance spent there (ended ones only)."""
    spent = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    rows = (
        ActivityHistory.objects.filter(instance__definition=definition)
        .values("node_id")
        .annotate(
            instances=Count("instance", distinct=True),
            average=Avg(spent, filter=Q(ended_at__isnull=False)),
        )
        .order_by("node_id")
    )
    return [ElementHeat(r["node_id"], r["instances"], r["average"]) for r in rows]


@dataclass(frozen=True)
class IncidentGroup:
    definition_key: str
    node_id: str
    kind: str
    error: str
    incidents: list[Incident]


def open_incident_groups() -> list[IncidentGroup]:
    """Open incidents across instances, grouped by process, element and error (first line
    of the message), the largest group first."""
    groups: dict[tuple[str, str, str, str], list[Incident]] = {}
    rows = Incident.objects.filter(state="open").select_related("instance__definition", "job")
    for incident in rows.order_by("-created_at", "-id"):
        error = (incident.message or "").strip().splitlines()[0][:200] if incident.message else ""
        key = (incident.instance.definition.key, incident.node_id, incident.kind, error)
        groups.setdefault(key, []).append(incident)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [IncidentGroup(*key, incidents=incidents) for key, incidents in ordered]
