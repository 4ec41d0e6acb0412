"""The engine's vocabularies of waits, subscriptions and incidents (one enum each).

Every other module names these members instead of spelling the strings: the runtime's
wait registry (``waiting.WAIT_CLOSINGS``), the trigger table (``engine``), the store's
projections and the ORM choices all read them from here.
"""

from __future__ import annotations

from enum import StrEnum


class WaitKind(StrEnum):
    """What an open wait waits for (``Wait.kind``)."""

    USER_TASK = "user_task"
    JOB = "job"
    TIMER = "timer"
    MESSAGE = "message"
    SIGNAL = "signal"
    CONDITIONAL = "conditional"
    CALL_ACTIVITY = "call_activity"


class SubscriptionKind(StrEnum):
    """Waits the store keeps as event-subscription rows (matched by name from outside),
    and the events that start instances of a deployed definition."""

    MESSAGE = "message"
    SIGNAL = "signal"


class IncidentKind(StrEnum):
    """Why a token stopped with an incident (``Incident.kind``)."""

    EXPRESSION = "expression"
    SCRIPT = "script"
    TIMER = "timer"
    MULTI_INSTANCE = "multi-instance"
    NO_OUTGOING_FLOW = "no-outgoing-flow"
    UNSUPPORTED = "unsupported"
    CANCEL = "cancel"
    LINK = "link"
    CALLED_ELEMENT = "called-element"
    UNCAUGHT_ERROR = "uncaught-error"
    FAILED_JOB = "failedJob"
    COMMAND_BUDGET = "command-budget"
    VARIABLE = "variable"  # a value that cannot be stored (NaN, Infinity, NUL, ...)
    DECISION = "decision"  # a business-rule task's decision is missing or failed


def choices(kinds: type[StrEnum]) -> list[tuple[str, str]]:
    """``(value, label)`` pairs for a model field's ``choices``."""
    return [(k.value, k.name.replace("_", " ").capitalize()) for k in kinds]
