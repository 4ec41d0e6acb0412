"""Activity history: what ran, in order."""

from __future__ import annotations

from django.db.models import QuerySet

from bpmn_engine.models import ActivityHistory


def activity_history(
    *,
    instance_id: int,
    queryset: QuerySet[ActivityHistory] | None = None,
    node_id: str | None = None,
) -> QuerySet[ActivityHistory]:
    """The activity instances of one process instance in start order (one query).

    Each row carries ``loop_role`` (``""`` a plain activity, ``"body"`` a multi-instance or
    loop body, ``"instance"`` one iteration) and, for a call activity,
    ``called_instance_id`` (the instance it started; its definition is joined)."""
    rows = queryset if queryset is not None else ActivityHistory.objects.all()
    rows = rows.filter(instance_id=instance_id)
    if node_id is not None:
        rows = rows.filter(node_id=node_id)
    return (
        rows.select_related("called_instance__definition")
        .defer("called_instance__state")
        .order_by("started_at", "id")
    )
