"""When a timer fires next: the one rule for instance timers (``behaviours.subscriptions``)
and start-event timers of deployed definitions (``start_events``, the timer services).

A timer is stored as ``(due_at, fired_count, repetitions_left)``; a cycle re-arms after
each firing until its repetitions are used up, a date or duration fires once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bpmn_engine.bpmn.timers import TimerSchedule, schedule_from_value


@dataclass(frozen=True)
class Occurrence:
    """One scheduled firing: due time, firings before it, repetitions left after it was
    scheduled (None: unbounded)."""

    due_at: datetime
    fired_count: int
    repetitions_left: int | None


def first_occurrence(schedule: TimerSchedule, now: datetime) -> Occurrence:
    """The first firing of a timer armed at ``now``."""
    return Occurrence(schedule.first_due(now), 0, schedule.repetitions)


def next_occurrence(
    kind: str, expression: str, last_due: datetime, fired_before: int
) -> Occurrence | None:
    """The firing after the one due at ``last_due`` (``fired_before`` firings preceded it),
    or None: a date or duration timer, or a cycle whose repetitions are used up. Raises
    ``TimerDefinitionError`` when ``expression`` is not a timer text of ``kind``."""
    if kind != "cycle":
        return None
    fired = fired_before + 1
    schedule = schedule_from_value("cycle", expression)
    due = schedule.next_due(last_due, fired)
    if due is None:
        return None
    left = None if schedule.repetitions is None else schedule.repetitions - fired
    return Occurrence(due, fired, left)
