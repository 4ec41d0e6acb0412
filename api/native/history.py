"""Activity history entries in the API's shape."""

from __future__ import annotations

from typing import Any

from bpmn_engine.models import ProcessInstance
from bpmn_engine.selectors import activity_history as history_rows


def activity_history(instance: ProcessInstance) -> list[dict[str, Any]]:
    """Activity instances in start order; ``multi_instance_body`` marks the body entry of a
    multi-instance (or loop) activity, apart from its inner instances."""
    rows = history_rows(instance_id=instance.pk)
    return [
        {
            "id": row.pk,
            "element_id": row.node_id,
            "element_type": row.node_type,
            "name": row.name,
            "state": row.state,
            "started_at": row.started_at,
            "ended_at": row.ended_at,
            "actor": row.actor,
            "called_instance": row.called_instance_id,
            "multi_instance_body": row.loop_role == "body",
        }
        for row in rows
    ]
