"""What a task page shows beside the task: its instance's timeline so far and its comments.

The timeline merges the activity history (what ran, who completed it) with the human
events on the instance's tasks (claimed, released, assigned, delegated, resolved,
commented) from the audit trail, limited to the tasks the caller passes as visible: a
business user never learns who worked on a task they may not see. Variable values are not
part of it (the page shows the task's variables separately)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from bpmn_engine.models import ActivityHistory, AuditEvent, TaskComment, UserTask
from bpmn_engine.models.audit import AuditEventType

TIMELINE_LIMIT = 200
_HUMAN_EVENTS = {
    AuditEventType.TASK_CLAIMED: "claimed",
    AuditEventType.TASK_UNCLAIMED: "released",
    AuditEventType.TASK_ASSIGNED: "assigned",
    AuditEventType.TASK_DELEGATED: "delegated",
    AuditEventType.TASK_RESOLVED: "resolved",
    AuditEventType.TASK_COMMENTED: "commented on",
}
_HANDED_OVER = {
    AuditEventType.TASK_ASSIGNED,
    AuditEventType.TASK_DELEGATED,
    AuditEventType.TASK_RESOLVED,
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an instance's timeline: ``who`` did ``what`` to ``subject`` at ``at``;
    ``detail`` names a user the task went to (assign, delegate, resolve), if any."""

    at: datetime
    what: str
    subject: str
    who: str = ""
    detail: str = ""
    node_type: str = ""


def _activity_entries(rows: Iterable[ActivityHistory]) -> list[TimelineEntry]:
    entries = []
    for row in rows:
        subject = row.name or row.node_id
        entries.append(TimelineEntry(row.started_at, "started", subject, node_type=row.node_type))
        if row.ended_at is not None:
            entries.append(
                TimelineEntry(row.ended_at, row.state, subject, row.actor, node_type=row.node_type)
            )
    return entries


def _task_entries(events: Iterable[AuditEvent], names: dict[int, str]) -> list[TimelineEntry]:
    entries = []
    for event in events:
        data = json.loads(event.data or "{}")
        task_id = data.get("task_id")
        if task_id not in names:
            continue
        detail = data.get("assignee") if event.event_type in _HANDED_OVER else ""
        entries.append(
            TimelineEntry(
                event.occurred_at,
                _HUMAN_EVENTS[event.event_type],
                names[task_id],
                event.actor_id,
                detail=detail if isinstance(detail, str) else "",
            )
        )
    return entries


def instance_timeline(
    *, instance_id: int, visible_tasks: QuerySet[UserTask], limit: int = TIMELINE_LIMIT
) -> list[TimelineEntry]:
    """The instance's activities and the human events on its ``visible_tasks``, oldest
    first, at most the latest ``limit`` entries (three queries)."""
    rows = (
        ActivityHistory.objects.filter(instance_id=instance_id)
        .only("node_id", "node_type", "name", "state", "actor", "started_at", "ended_at")
        .order_by("-started_at", "-id")[:limit]
    )
    names = {
        pk: name or node_id
        for pk, name, node_id in visible_tasks.filter(instance_id=instance_id).values_list(
            "pk", "name", "node_id"
        )
    }
    events = (
        AuditEvent.objects.filter(
            stream=f"instance:{instance_id}", event_type__in=list(_HUMAN_EVENTS)
        )
        .only("occurred_at", "event_type", "actor_id", "data")
        .order_by("-seq")[:limit]
        if names
        else AuditEvent.objects.none()
    )
    # newest first to keep the latest ``limit``; shown oldest first (a stable sort keeps
    # each activity's start before its end at equal times)
    entries = _activity_entries(list(rows)[::-1]) + _task_entries(list(events)[::-1], names)
    entries.sort(key=lambda entry: entry.at)
    return entries[-limit:]


def task_comments(*, task_id: int) -> QuerySet[TaskComment]:
    """The task's comments, oldest first (one query)."""
    return TaskComment.objects.filter(task_id=task_id).order_by("created_at", "id")
