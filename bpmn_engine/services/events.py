"""Messages, signals and timers: events from outside that move instances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from bpmn_engine.bpmn.timers import TimerDefinitionError
from bpmn_engine.errors import MessageAmbiguousError, MessageNotCorrelatedError, NotFoundError
from bpmn_engine.models import (
    EventSubscription,
    ProcessDefinition,
    ProcessInstance,
    Timer,
    VariableRow,
)
from bpmn_engine.models.work import SubscriptionKind, TimerState
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.runtime.timer_rules import next_occurrence
from bpmn_engine.services.backpressure import check_backlog
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork

ROOT_SCOPE = "root"


@dataclass
class CorrelationResult:
    """``kind`` is ``execution`` (a waiting instance moved) or ``start`` (a new one began)."""

    kind: str
    instance: ProcessInstance


@command
def correlate_message(
    *,
    message_name: str,
    business_key: str | None = None,
    correlation_key: str | None = None,
    correlation_keys: dict[str, Any] | None = None,
    instance_id: int | None = None,
    variables: dict[str, Any] | None = None,
    correlate_all: bool = False,
    user: Any = None,
    now: datetime | None = None,
) -> list[CorrelationResult]:
    """Deliver a message to the waiting instance(s) it matches, or start an instance at a
    message start event.

    ``correlation_keys`` matches instances whose process variables (root scope) equal every
    given value (Camunda's ``correlationKeys`` / ``processInstanceVariableEquals``). Without
    a match ``MessageNotCorrelatedError``, with several when ``correlate_all`` is off
    ``MessageAmbiguousError``; either way nothing changes."""
    work = UnitOfWork(
        now=now or timezone.now(), actor=getattr(user, "username", "") or "", user=user
    )
    waiting = EventSubscription.objects.filter(
        kind=SubscriptionKind.MESSAGE,
        event_name=message_name,
        instance__isnull=False,
        instance__status="active",
        instance__suspended=False,
    )
    if correlation_key is not None:
        waiting = waiting.filter(correlation_key=str(correlation_key))
    if business_key is not None:
        waiting = waiting.filter(instance__business_key=business_key)
    if instance_id is not None:
        waiting = waiting.filter(instance_id=instance_id)
    for name, value in (correlation_keys or {}).items():
        equal = VariableRow.objects.filter(
            instance_id=OuterRef("instance_id"), scope_id=ROOT_SCOPE, name=name, value=value
        )
        waiting = waiting.filter(Exists(equal))
    matches = list(waiting.order_by("instance_id", "id").values_list("instance_id", "wait_id"))
    if matches:
        if len(matches) > 1 and not correlate_all:
            raise MessageAmbiguousError(
                f"Expected message '{message_name}' to match one waiting execution, "
                f"but {len(matches)} match"
            )
        for matched_instance, wait_id in matches:
            work.send(
                matched_instance, tr.CorrelateMessage(wait_id=wait_id, variables=variables or {})
            )
        work.run()
        return [CorrelationResult("execution", work.instance(pk).row) for pk, _ in matches]
    if instance_id is None:
        starts = _message_start(message_name)
        if starts is not None:
            definition, node_id = starts
            check_backlog()
            row = work.start(
                definition, variables=variables, business_key=business_key, start_event_id=node_id
            )
            work.run()
            return [CorrelationResult("start", row)]
    raise MessageNotCorrelatedError(
        f"Expected message '{message_name}' to match a waiting execution or a message start "
        "event, but nothing matches"
    )


def _message_start(message_name: str) -> tuple[ProcessDefinition, str] | None:
    subscription = (
        EventSubscription.objects.select_related("definition")
        .filter(
            kind=SubscriptionKind.MESSAGE,
            event_name=message_name,
            definition__isnull=False,
            definition__suspended=False,
        )
        .order_by("-definition__version")
        .first()
    )
    return (subscription.definition, subscription.node_id) if subscription else None


@command
def broadcast_signal(
    *,
    signal_name: str,
    variables: dict[str, Any] | None = None,
    user: Any = None,
    now: datetime | None = None,
) -> int:
    """Deliver a signal to every waiting subscription and signal start event; returns
    how many received it (zero is fine: signals are fire-and-forget)."""
    work = UnitOfWork(
        now=now or timezone.now(), actor=getattr(user, "username", "") or "", user=user
    )
    delivered = work.broadcast_signal(signal_name, variables or {})
    work.run()
    return delivered


@command
def fire_timer(*, timer_id: int, now: datetime | None = None) -> bool:
    """Fire a scheduled timer; False when it was fired or withdrawn meanwhile."""
    now = now or timezone.now()
    owners = list(Timer.objects.filter(pk=timer_id).values_list("instance_id", flat=True))
    if not owners:
        raise NotFoundError(f"Expected to find timer {timer_id}, but it does not exist")
    work = UnitOfWork(now=now)
    if owners[0] is None:
        return _fire_start_timer(work, timer_id, now)
    work.instance(owners[0])  # lock the instance, then read the timer as it is now
    timer = Timer.objects.get(pk=timer_id)
    if timer.state != TimerState.SCHEDULED:
        return False
    work.send(timer.instance_id, tr.FireTimer(wait_id=timer.wait_id))
    work.run()
    return True


def _fire_start_timer(work: UnitOfWork, timer_id: int, now: datetime) -> bool:
    timer = (
        Timer.objects.select_for_update(of=("self",)).select_related("definition").get(pk=timer_id)
    )
    if timer.state != TimerState.SCHEDULED:
        return False
    timer.state = TimerState.FIRED
    timer.save(update_fields=["state"])
    work.start(timer.definition, start_event_id=timer.node_id)
    _rearm_start_timer(timer)
    work.run()
    return True


def _rearm_start_timer(timer: Timer) -> None:
    """A cycle start timer schedules its next firing (``runtime.timer_rules`` decides)."""
    try:
        after = next_occurrence(timer.kind, timer.expression, timer.due_at, timer.fired_count)
    except TimerDefinitionError:
        return
    if after is not None:
        Timer.objects.create(
            definition=timer.definition,
            wait_id="",
            node_id=timer.node_id,
            kind=timer.kind,
            expression=timer.expression,
            due_at=after.due_at,
            fired_count=after.fired_count,
            repetitions_left=after.repetitions_left,
            created_at=timer.created_at,
        )
