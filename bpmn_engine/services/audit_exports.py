"""Audit exports for every surface (auditor pages and API alike): check the caller's
scope, record the export in the audit trail (exports are audited themselves), then hand
back the streamed lines of the events it covers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet

from bpmn_engine.audit import record
from bpmn_engine.audit.export import csv_lines, jsonl_lines, manifest_of
from bpmn_engine.errors import NotFoundError
from bpmn_engine.models import AuditEvent
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.selectors.audit import (
    AuditFilter,
    InstanceTrail,
    audited_events,
    instance_trail,
)
from bpmn_engine.services.transactions import command

Lines = Callable[..., Iterator[bytes]]
FORMATS: dict[str, tuple[Lines, str]] = {
    "jsonl": (jsonl_lines, "application/x-ndjson"),
    "csv": (csv_lines, "text/csv; charset=utf-8"),
}


@dataclass(frozen=True)
class Export:
    """A recorded export, ready to stream: ``lines`` is lazy (read as it is sent)."""

    lines: Iterator[bytes]
    content_type: str
    filename: str


@dataclass(frozen=True)
class Report:
    """A printable report of one instance: its trail, the events covered and the manifest
    of the JSON Lines export of the same events."""

    trail: InstanceTrail
    events: QuerySet
    manifest: dict[str, Any]


@command
def record_audit_export(
    *,
    user: Any,
    export_format: str,
    scope: dict[str, Any],
    instance_id: int | None = None,
    definition_id: int | None = None,
) -> int:
    """Record the export and return the id it covers up to (the newest event before this
    one), so the exported set is fixed even while the engine keeps writing. One instance's
    export joins that instance's chain; a set export joins the ``system`` chain."""
    up_to = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    record(
        AuditEventType.AUDIT_EXPORTED,
        user=user,
        instance_id=instance_id,
        definition_id=definition_id,
        data={"format": export_format, "scope": scope, "up_to_id": up_to},
    )
    return up_to


def _format(export_format: str) -> tuple[Lines, str]:
    if export_format not in FORMATS:
        raise NotFoundError(
            f"Expected an export format of {', '.join(FORMATS)}, but got {export_format[:20]!r}"
        )
    return FORMATS[export_format]


def _recorded_trail(user: Any, instance_id: int, export_format: str) -> tuple[InstanceTrail, int]:
    trail = instance_trail(user=user, instance_id=instance_id)
    up_to = record_audit_export(
        user=user,
        export_format=export_format,
        scope={"instance": instance_id},
        instance_id=instance_id,
        definition_id=trail.instance.definition_id,
    )
    return trail, up_to


def export_instance(*, user: Any, instance_id: int, export_format: str) -> Export:
    """One instance's events as JSON Lines or CSV; ``NotFoundError`` for an instance out
    of ``user``'s audit scope (no existence oracle) or an unknown format."""
    lines, content_type = _format(export_format)
    trail, up_to = _recorded_trail(user, instance_id, export_format)
    events = trail.events.filter(id__lte=up_to)
    return Export(
        lines(events, scope={"instance": instance_id}),
        content_type,
        f"instance-{instance_id}.{export_format}",
    )


def export_set(*, user: Any, filters: AuditFilter, export_format: str) -> Export:
    """The events of every instance in ``user``'s scope that ``filters`` select."""
    lines, content_type = _format(export_format)
    events = audited_events(user=user, filters=filters)
    described = filters.as_scope()
    up_to = record_audit_export(user=user, export_format=export_format, scope=described)
    return Export(
        lines(events.filter(id__lte=up_to), scope=described),
        content_type,
        f"audit.{export_format}",
    )


def instance_report(*, user: Any, instance_id: int) -> Report:
    """A printable report of one instance, recorded as an ``html`` export."""
    trail, up_to = _recorded_trail(user, instance_id, "html")
    events = trail.events.filter(id__lte=up_to)
    manifest = manifest_of(jsonl_lines(events, scope={"instance": instance_id}))
    return Report(trail=trail, events=events, manifest=manifest)
