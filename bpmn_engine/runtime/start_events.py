"""What starts instances of a deployed process: its message, signal and timer start events.

The deployment service persists exactly this (subscription and timer rows of the new
version); conditional start events are evaluated on request (``start_conditions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bpmn_engine.bpmn.model import (
    Definitions,
    MessageEventDefinition,
    Process,
    SignalEventDefinition,
    TimerEventDefinition,
)
from bpmn_engine.bpmn.timers import TimerDefinitionError, is_timer_expression, parse_timer
from bpmn_engine.runtime.event_names import message_name, signal_name
from bpmn_engine.runtime.kinds import SubscriptionKind
from bpmn_engine.runtime.timer_rules import Occurrence, first_occurrence


@dataclass(frozen=True)
class StartSubscription:
    """A message or signal start event listening under ``event_name``."""

    node_id: str
    kind: SubscriptionKind
    event_name: str


@dataclass(frozen=True)
class StartTimer:
    """A timer start event's first firing."""

    node_id: str
    kind: str
    expression: str
    occurrence: Occurrence


@dataclass(frozen=True)
class StartEvents:
    subscriptions: tuple[StartSubscription, ...]
    timers: tuple[StartTimer, ...]


def start_events(process: Process, definitions: Definitions | None, now: datetime) -> StartEvents:
    """The subscriptions and timers a new version of ``process`` opens at ``now``.

    Names resolve as everywhere else (``event_names``: an unnamed message or signal by its
    id). A timer given as an expression is skipped (no variables exist before a start),
    as is one that does not parse (validation reports it)."""
    subscriptions: list[StartSubscription] = []
    timers: list[StartTimer] = []
    for start in process.start_events():
        for event in start.event_definitions:
            if isinstance(event, MessageEventDefinition) and event.message_ref:
                name = message_name(definitions, event.message_ref)
                subscriptions.append(StartSubscription(start.id, SubscriptionKind.MESSAGE, name))
            elif isinstance(event, SignalEventDefinition) and event.signal_ref:
                name = signal_name(definitions, event.signal_ref)
                subscriptions.append(StartSubscription(start.id, SubscriptionKind.SIGNAL, name))
            elif isinstance(event, TimerEventDefinition) and event.kind and event.expression:
                if is_timer_expression(event.expression):
                    continue
                try:
                    schedule = parse_timer(event.kind, event.expression)
                except TimerDefinitionError:
                    continue
                timers.append(
                    StartTimer(
                        start.id,
                        str(event.kind),
                        event.expression,
                        first_occurrence(schedule, now),
                    )
                )
    return StartEvents(tuple(subscriptions), tuple(timers))
