"""Opening waits for catching events: timers, message, signal and conditional subscriptions.

Used by intermediate catch events, receive tasks, boundary events, event subprocess starts
and the event-based gateway (conditional waits: ``conditions``). Timer text is evaluated
first when it is an expression; a timer that cannot be parsed raises a ``timer`` incident.
Cycle timers re-arm as a new wait after each firing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bpmn_engine.bpmn.model import (
    Activity,
    BoundaryEvent,
    ConditionalEventDefinition,
    EventDefinition,
    MessageEventDefinition,
    SignalEventDefinition,
    TimerEventDefinition,
)
from bpmn_engine.bpmn.timers import (
    TimerDefinitionError,
    is_timer_expression,
    parse_timer,
    schedule_from_value,
)
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.conditions import open_conditional
from bpmn_engine.runtime.kinds import IncidentKind, WaitKind
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Token, Wait
from bpmn_engine.runtime.timer_rules import Occurrence, first_occurrence, next_occurrence
from bpmn_engine.runtime.variables import evaluate, value_of

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run

CATCHABLE = (
    TimerEventDefinition,
    MessageEventDefinition,
    SignalEventDefinition,
    ConditionalEventDefinition,
)


def open_event_wait(
    run: Run, token: Token, node_id: str, definition: EventDefinition, owner: str
) -> Wait:
    """Open the wait a catching event definition needs (timer, message, signal, condition)."""
    if isinstance(definition, TimerEventDefinition):
        return open_timer(run, token, node_id, definition, owner)
    if isinstance(definition, MessageEventDefinition):
        return open_message(run, token, node_id, definition.message_ref, owner)
    if isinstance(definition, SignalEventDefinition):
        name = value_of(run.tables.signal_name(definition.signal_ref), run.variables(token))
        wait = run.open_wait(token, WaitKind.SIGNAL, node_id, owner, {"signal_name": str(name)})
        run.effects.append(fx.SignalSubscriptionOpened(wait.id, node_id, str(name)))
        return wait
    if isinstance(definition, ConditionalEventDefinition):
        return open_conditional(run, token, node_id, definition, owner)
    raise StepIncident(
        IncidentKind.UNSUPPORTED,
        f"Expected to wait at {node_id}, but {definition.tag} cannot be caught",
    )


def open_message(run: Run, token: Token, node_id: str, message_ref: str | None, owner: str) -> Wait:
    tables = run.tables
    variables = run.variables(token)
    name = str(value_of(tables.message_name(message_ref), variables))
    key_text = tables.message_correlation_key(message_ref)
    key = value_of(key_text, variables) if key_text else None
    key = None if key is None else str(key)
    wait = run.open_wait(
        token, WaitKind.MESSAGE, node_id, owner, {"message_name": name, "correlation_key": key}
    )
    run.effects.append(fx.MessageSubscriptionOpened(wait.id, node_id, name, key))
    return wait


def open_timer(
    run: Run, token: Token, node_id: str, definition: TimerEventDefinition, owner: str
) -> Wait:
    kind = str(definition.kind or "")
    text = definition.expression or ""
    try:
        if is_timer_expression(text):
            schedule = schedule_from_value(kind, evaluate(text, run.variables(token)))
        else:
            schedule = parse_timer(kind, text)
        first = first_occurrence(schedule, run.now)
    except TimerDefinitionError as failure:
        raise StepIncident(
            IncidentKind.TIMER, f"Expected to schedule the timer of {node_id}, but {failure}"
        ) from None
    return _arm(run, token, node_id, owner, kind, schedule.text, first, schedule.repetitions)


def _arm(
    run: Run,
    token: Token,
    node_id: str,
    owner: str,
    kind: str,
    text: str,
    at: Occurrence,
    repetitions: int | None,
) -> Wait:
    wait = run.open_wait(
        token,
        WaitKind.TIMER,
        node_id,
        owner,
        {
            "kind": kind,
            "expression": text,
            "due_at": at.due_at.isoformat(),
            "fired": at.fired_count,
            "repetitions": repetitions,
        },
    )
    run.effects.append(
        fx.TimerScheduled(
            wait.id, node_id, at.due_at, kind, text, at.fired_count, at.repetitions_left
        )
    )
    return wait


def rearm_timer(run: Run, token: Token, fired_wait: Wait) -> Wait | None:
    """After a cycle timer fired, schedule its next occurrence (None when used up)."""
    data = fired_wait.data
    after = next_occurrence(
        str(data.get("kind")),
        data.get("expression", ""),
        datetime.fromisoformat(data["due_at"]),
        int(data.get("fired", 0)),
    )
    if after is None:
        return None
    return _arm(
        run,
        token,
        fired_wait.node_id,
        fired_wait.owner,
        "cycle",
        data["expression"],
        after,
        data.get("repetitions"),
    )


def open_boundaries(
    run: Run, token: Token, node: Activity, boundaries: tuple[BoundaryEvent, ...]
) -> None:
    """Subscribe the timer/message/signal/conditional boundary events of an activity being
    entered."""
    definitions = run.tables.event_definition
    for boundary in boundaries:
        definition = definitions.get(boundary.id)
        if isinstance(definition, CATCHABLE):
            open_event_wait(run, token, boundary.id, definition, boundary.id)
