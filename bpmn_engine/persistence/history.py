"""Activity history rows from the runtime's history effects, in the same transaction."""

from __future__ import annotations

from typing import Any

from bpmn_engine.models import ActivityHistory, ProcessInstance
from bpmn_engine.models.history import ActivityState
from bpmn_engine.persistence import sql
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
    new_rows: list[list[Any]] = []
    open_rows: dict[tuple[str, str], list[Any]] = {}
    pk = instance.pk
    for effect in effects:
        if isinstance(effect, ActivityStarted):
            row = [
                pk,
                effect.node_id,
                effect.tag,
                effect.name or "",
                effect.token_id,
                effect.scope_id,
                ActivityState.ACTIVE,
                "",
                str(effect.loop),
                sql.when(effect.at),
                None,
            ]
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
                row[6], row[7], row[10] = state, actor, sql.when(effect.at)
            else:
                sql.defer(
                    f"UPDATE {sql.table(ActivityHistory)} SET state = %s, ended_at = %s, "
                    "actor = %s WHERE instance_id = %s AND token_id = %s AND node_id = %s "
                    "AND state = %s",
                    (
                        state,
                        sql.when(effect.at),
                        actor,
                        pk,
                        effect.token_id,
                        effect.node_id,
                        ActivityState.ACTIVE,
                    ),
                )
    sql.insert_rows(ActivityHistory, _COLUMNS, new_rows)


_COLUMNS = (
    "instance_id",
    "node_id",
    "node_type",
    "name",
    "token_id",
    "scope_id",
    "state",
    "actor",
    "loop_role",
    "started_at",
    "ended_at",
)


def link_called_instance(
    instance: ProcessInstance, *, token_id: str, node_id: str, called: int
) -> None:
    """Name the instance a call activity started on the call activity's open row."""
    ActivityHistory.objects.filter(
        instance=instance, token_id=token_id, node_id=node_id, state=ActivityState.ACTIVE
    ).update(called_instance_id=called)
