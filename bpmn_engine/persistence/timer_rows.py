"""The timer poller's own statements: claim due timers, read a claimed batch."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from bpmn_engine.models import ProcessInstance, Timer
from bpmn_engine.models.work import TimerState
from bpmn_engine.persistence import sql


def claim_due(now: datetime, until: datetime, limit: int) -> list[int]:
    """Claim (``claimed_until = until``) up to ``limit`` timers due at ``now``, neither
    claimed nor of a suspended instance, oldest first; returns their ids in that order.
    One ``UPDATE`` chooses, locks (PostgreSQL: ``SKIP LOCKED``) and claims them."""
    rows = sql.fetchall(
        _claim_sql(sql.is_postgres()),
        (sql.when(until), TimerState.SCHEDULED.value, sql.when(now), sql.when(now), limit),
    )
    return [pk for pk, _ in sorted(rows, key=lambda row: (row[1], row[0]))]


@cache
def _claim_sql(postgres: bool) -> str:
    timers, instances = sql.table(Timer), sql.table(ProcessInstance)
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    # The suspension test is a subquery per candidate row (one primary-key probe): as an
    # anti-join PostgreSQL may scan every instance once per claim. The candidates come in
    # ``(due_at, id)`` order from the scheduled timers' index, so a claim reads about the
    # rows it takes.
    return (
        f"UPDATE {timers} SET claimed_until = %s WHERE id IN (SELECT t.id FROM {timers} t "
        "WHERE t.state = %s AND t.due_at <= %s "
        "AND (t.claimed_until IS NULL OR t.claimed_until <= %s) "
        f"AND NOT COALESCE((SELECT i.suspended FROM {instances} i "
        "WHERE i.id = t.instance_id), FALSE) "
        f"ORDER BY t.due_at, t.id LIMIT %s{lock}) RETURNING id, due_at"
    )


def next_due(after: datetime) -> datetime | None:
    """The earliest due time of a scheduled timer after ``after`` (None: none)."""
    return (
        Timer.objects.filter(state=TimerState.SCHEDULED, due_at__gt=after)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )


def owners(timer_ids: list[int]) -> dict[int, int | None]:
    """Timer id -> its instance id (None: a start-event timer)."""
    return dict(sql.fetchall(*_read("id, instance_id", "", timer_ids)))  # type: ignore[arg-type]


def scheduled_waits(timer_ids: list[int]) -> list[tuple[Any, ...]]:
    """(instance id, wait id) of the instance timers among ``timer_ids`` still scheduled,
    in due order."""
    return sql.fetchall(
        *_read(
            "instance_id, wait_id",
            " AND instance_id IS NOT NULL AND state = %s ORDER BY due_at, id",
            timer_ids,
            TimerState.SCHEDULED.value,
        )
    )


def _read(columns: str, rest: str, timer_ids: list[int], *params: Any) -> tuple[str, list[Any]]:
    """PostgreSQL: the ids as one array (one text for every batch; no list to parse)."""
    if sql.is_postgres():
        where, ids = "id = ANY(%s)", [list(timer_ids)]
    else:
        where, ids = f"id IN ({', '.join(['%s'] * len(timer_ids))})", list(timer_ids)
    return f"SELECT {columns} FROM {sql.table(Timer)} WHERE {where}{rest}", [*ids, *params]
