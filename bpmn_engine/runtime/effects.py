"""Effects: what ``advance`` asks the outside world to record or do (its output).

The store turns each effect into rows; values are already evaluated plain JSON values
(datetimes are timezone-aware ``datetime`` objects). Every wait is announced by exactly
one opening effect (``UserTaskCreated``, ``JobCreated``, ``TimerScheduled``,
``MessageSubscriptionOpened``, ``SignalSubscriptionOpened``, ``ConditionalSubscriptionOpened``,
``CallActivityStarted``) and ends with exactly one closing effect (see ``CLOSING_EFFECTS``),
except non-interrupting message/signal/conditional boundary subscriptions, which stay open
when they fire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bpmn_engine.bpmn.model import FormField


@dataclass(frozen=True, slots=True)
class Effect:
    """Base class of every effect."""


@dataclass(frozen=True, slots=True)
class WaitClosed(Effect):
    """Base of the effects that only close the wait ``wait_id``."""

    wait_id: str


# --------------------------------------------------------------------------- user tasks


@dataclass(frozen=True, slots=True)
class UserTaskCreated(Effect):
    wait_id: str
    node_id: str
    name: str | None
    token_id: str
    scope_id: str
    assignee: str | None
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]
    due_at: datetime | None
    follow_up_at: datetime | None
    priority: int
    form_key: str | None
    form_fields: tuple[FormField, ...]
    form_ref: str | None = None


@dataclass(frozen=True, slots=True)
class UserTaskCompleted(Effect):
    wait_id: str
    completed_by: str | None


@dataclass(frozen=True, slots=True)
class UserTaskCancelled(WaitClosed):
    pass


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True, slots=True)
class JobCreated(Effect):
    """Work for a handler/worker: service, send, business rule task, message throw events.

    The job reads its input at run time with ``InstanceState.visible_variables(scope_id)``.
    """

    wait_id: str
    node_id: str
    token_id: str
    job_type: str
    external: bool
    retries: int
    retry_time_cycle: str | None
    headers: Mapping[str, str]
    priority: int
    scope_id: str = "root"
    implementation: str = "type"
    result_variable: str | None = None


@dataclass(frozen=True, slots=True)
class JobCompleted(WaitClosed):
    pass


@dataclass(frozen=True, slots=True)
class JobErrorThrown(Effect):
    """The job ended with a BPMN error (``ThrowBpmnError``); the job is closed."""

    wait_id: str
    error_code: str


@dataclass(frozen=True, slots=True)
class JobCancelled(WaitClosed):
    pass


# --------------------------------------------------------------------------- timers


@dataclass(frozen=True, slots=True)
class TimerScheduled(Effect):
    """``kind`` date/duration/cycle; ``expression`` the evaluated timer text; cycles
    re-arm as a new wait (``fired_count`` fires so far, ``repetitions_left`` None = unbounded)."""

    wait_id: str
    node_id: str
    due_at: datetime
    kind: str
    expression: str
    fired_count: int = 0
    repetitions_left: int | None = None


@dataclass(frozen=True, slots=True)
class TimerFired(WaitClosed):
    pass


@dataclass(frozen=True, slots=True)
class TimerCancelled(WaitClosed):
    pass


# --------------------------------------------------------------------------- subscriptions


@dataclass(frozen=True, slots=True)
class MessageSubscriptionOpened(Effect):
    wait_id: str
    node_id: str
    message_name: str
    correlation_key: str | None
    is_start: bool = False


@dataclass(frozen=True, slots=True)
class SignalSubscriptionOpened(Effect):
    wait_id: str
    node_id: str
    signal_name: str


@dataclass(frozen=True, slots=True)
class ConditionalSubscriptionOpened(Effect):
    """A conditional event listens: the runtime itself re-evaluates ``condition`` whenever
    variables change, so the store need not act on it (closed by ``SubscriptionClosed``)."""

    wait_id: str
    node_id: str
    condition: str


@dataclass(frozen=True, slots=True)
class SubscriptionClosed(WaitClosed):
    pass


@dataclass(frozen=True, slots=True)
class SignalThrown(Effect):
    """Broadcast by the service layer to every open signal subscription (this instance too)."""

    signal_name: str
    variables: Mapping[str, Any]


# --------------------------------------------------------------------------- call activities


@dataclass(frozen=True, slots=True)
class CallActivityStarted(Effect):
    wait_id: str
    node_id: str
    called_element: str
    binding: str
    version: str | None
    variables: Mapping[str, Any]
    business_key: str | None
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class CallActivityCompleted(WaitClosed):
    pass


@dataclass(frozen=True, slots=True)
class CallActivityCancelled(WaitClosed):
    """The parent withdrew the call: the service layer cancels the child instance."""


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True, slots=True)
class DecisionEvaluated(Effect):
    """A business-rule task evaluated a decision; ``details`` holds, per decision
    evaluated, its inputs, matched rules and output (JSON-ready)."""

    node_id: str
    decision_key: str
    decision_version: int
    definition_id: Any
    details: tuple[dict[str, Any], ...]


# --------------------------------------------------------------------------- incidents


@dataclass(frozen=True, slots=True)
class IncidentRaised(Effect):
    incident_id: str
    node_id: str
    token_id: str
    kind: str
    message: str
    wait_id: str = ""  # the wait the token still holds (an incident on a failed job)
    details: str = ""


@dataclass(frozen=True, slots=True)
class IncidentResolved(Effect):
    incident_id: str


# --------------------------------------------------------------------------- history


class LoopRole(StrEnum):
    """Where a history entry stands in a loop: a plain activity (``NONE``), the body of a
    multi-instance or standard loop (``BODY``: the token that reached the activity), or one
    of its iterations (``INSTANCE``)."""

    NONE = ""
    BODY = "body"
    INSTANCE = "instance"


@dataclass(frozen=True, slots=True)
class ActivityEffect(Effect):
    """Base of the history effects: an activity instance started, completed or was
    cancelled."""

    node_id: str
    token_id: str
    scope_id: str
    tag: str
    name: str | None
    at: datetime
    loop: LoopRole = LoopRole.NONE


@dataclass(frozen=True, slots=True)
class ActivityStarted(ActivityEffect):
    pass


@dataclass(frozen=True, slots=True)
class ActivityCompleted(ActivityEffect):
    pass


@dataclass(frozen=True, slots=True)
class ActivityCancelled(ActivityEffect):
    pass


def _fast_history_init(cls: type) -> type:
    """Give a history effect an ``__init__`` that writes its slots through their descriptors:
    half the cost of the frozen dataclass ``__init__`` (these are built on every step)."""
    s0, s1, s2, s3, s4, s5, s6 = (
        getattr(cls, name).__set__
        for name in ("node_id", "token_id", "scope_id", "tag", "name", "at", "loop")
    )

    def __init__(
        self: Any,
        node_id: str,
        token_id: str,
        scope_id: str,
        tag: str,
        name: str | None,
        at: datetime,
        loop: LoopRole = LoopRole.NONE,
    ) -> None:
        s0(self, node_id)
        s1(self, token_id)
        s2(self, scope_id)
        s3(self, tag)
        s4(self, name)
        s5(self, at)
        s6(self, loop)

    cls.__init__ = __init__  # type: ignore[misc]
    return cls


for _history in (ActivityStarted, ActivityCompleted, ActivityCancelled):
    _fast_history_init(_history)


@dataclass(frozen=True, slots=True)
class VariablesChanged(Effect):
    """Variables written in one scope during this step (last value per name);
    ``previous`` holds the value before the step of each changed name that existed."""

    scope_id: str
    changes: Mapping[str, Any]
    previous: Mapping[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- instance


@dataclass(frozen=True, slots=True)
class InstanceCompleted(Effect):
    """The instance ended normally; ``terminated`` when a terminate end event ended it."""

    variables: Mapping[str, Any]
    terminated: bool = False


@dataclass(frozen=True, slots=True)
class InstanceCancelled(Effect):
    reason: str | None


@dataclass(frozen=True, slots=True)
class InstanceFailed(Effect):
    """A BPMN error reached the root scope without a catching boundary event.

    Camunda 7 semantics: the throwing path then ends like a none end event (the instance
    completes if nothing else runs). The service layer forwards this to a parent call
    activity as ``FailCallActivity``; if the parent catches it, the parent withdraws the
    call (``CallActivityCancelled``) and the child is cancelled. ``variables`` are the
    error's own variables (given with the thrown error), never the child's scope.
    """

    error_code: str
    message: str | None
    variables: Mapping[str, Any]
    node_id: str = ""


@dataclass(frozen=True, slots=True)
class InstanceEscalated(Effect):
    """An escalation reached the root scope without an escalation catch.

    Camunda 7 ignores it in a top-level instance; the service layer forwards it to a parent
    call activity as ``EscalateCallActivity`` (the child goes on: the throwing path passes
    on or ends as the throw event says, unless the parent's catch interrupts the call).
    """

    escalation_code: str | None
    variables: Mapping[str, Any]
    node_id: str = ""


OPENING_EFFECTS = (
    UserTaskCreated,
    JobCreated,
    TimerScheduled,
    MessageSubscriptionOpened,
    SignalSubscriptionOpened,
    ConditionalSubscriptionOpened,
    CallActivityStarted,
)

CLOSING_EFFECTS = (
    UserTaskCompleted,
    UserTaskCancelled,
    JobCompleted,
    JobErrorThrown,
    JobCancelled,
    TimerFired,
    TimerCancelled,
    SubscriptionClosed,
    CallActivityCompleted,
    CallActivityCancelled,
)
