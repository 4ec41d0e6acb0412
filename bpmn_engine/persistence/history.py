"""Activity history rows from the runtime's history effects, in the same transaction."""

from __future__ import annotations

from bpmn_engine.models import ActivityHistory, ProcessInstance
from bpmn_engine.models.history import ActivityState
from bpmn_engine.runtime.effects import (
    ActivityCancelled,
    ActivityCompleted,
    ActivityStarted,
    Effect,
)


def record_activity_history(
    instance: ProcessInstance, effects: list[Effect], *, actor: str = ""
) -> None:
    """Insert a row per started activity; close rows of completed or cancelled ones.

    Activities that start and end within the same step become one finished row, so a
    pass-through step costs one insert and no update.
    """
    new_rows: list[ActivityHistory] = []
    open_rows: dict[tuple[str, str], ActivityHistory] = {}
    for effect in effects:
        if isinstance(effect, ActivityStarted):
            row = ActivityHistory(
                instance=instance,
                node_id=effect.node_id,
                node_type=effect.tag,
                name=effect.name or "",
                token_id=effect.token_id,
                scope_id=effect.scope_id,
                loop_role=str(effect.loop),
                state=ActivityState.ACTIVE,
                started_at=effect.at,
            )
            new_rows.append(row)
            open_rows[(effect.token_id, effect.node_id)] = row
        elif isinstance(effect, ActivityCompleted | ActivityCancelled):
            state = (
                ActivityState.COMPLETED
                if isinstance(effect, ActivityCompleted)
                else ActivityState.CANCELLED
            )
            row = open_rows.pop((effect.token_id, effect.node_id), None)
            if row is not None:
                row.state, row.ended_at, row.actor = state, effect.at, actor
            else:
                ActivityHistory.objects.filter(
                    instance=instance,
                    token_id=effect.token_id,
                    node_id=effect.node_id,
                    state=ActivityState.ACTIVE,
                ).update(state=state, ended_at=effect.at, actor=actor)
    if new_rows:
        ActivityHistory.objects.bulk_create(new_rows)


def link_called_instance(
    instance: ProcessInstance, *, token_id: str, node_id: str, called: int
) -> None:
    """Name the instance a call activity started on the call activity's open row."""
    ActivityHistory.objects.filter(
        instance=instance, token_id=token_id, node_id=node_id, state=ActivityState.ACTIVE
    ).update(called_instance_id=called)
