"""Triggers: the commands that move an instance (input of ``advance``).

Every trigger that ends a wait names its ``wait_id`` (announced earlier by an effect).
Variables are plain JSON values; they are written with the scoping rule (nearest scope that
already holds the name, else the root scope) unless a field says ``local``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bpmn_engine.bpmn.model import EMPTY
from bpmn_engine.runtime.kinds import IncidentKind


def _vars() -> Any:
    return field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class Trigger:
    """Base class of every trigger."""


@dataclass(frozen=True, slots=True)
class StartInstance(Trigger):
    """Start the instance at ``start_event_id`` or at the process's none start event."""

    variables: Mapping[str, Any] = _vars()
    start_event_id: str | None = None
    initiator: str | None = None


@dataclass(frozen=True, slots=True)
class CompleteUserTask(Trigger):
    wait_id: str
    variables: Mapping[str, Any] = _vars()
    local_variables: Mapping[str, Any] = _vars()
    completed_by: str | None = None


@dataclass(frozen=True, slots=True)
class CompleteJob(Trigger):
    wait_id: str
    variables: Mapping[str, Any] = _vars()


@dataclass(frozen=True, slots=True)
class ThrowBpmnError(Trigger):
    """A job handler or external worker reports a business error (routed to boundaries)."""

    wait_id: str
    error_code: str
    message: str | None = None
    variables: Mapping[str, Any] = _vars()


@dataclass(frozen=True, slots=True)
class CorrelateMessage(Trigger):
    wait_id: str
    variables: Mapping[str, Any] = _vars()


@dataclass(frozen=True, slots=True)
class TriggerSignal(Trigger):
    wait_id: str
    variables: Mapping[str, Any] = _vars()


@dataclass(frozen=True, slots=True)
class FireTimer(Trigger):
    wait_id: str


@dataclass(frozen=True, slots=True)
class CompleteCallActivity(Trigger):
    """The child instance completed; ``variables`` are its root scope variables."""

    wait_id: str
    variables: Mapping[str, Any] = _vars()


@dataclass(frozen=True, slots=True)
class FailCallActivity(Trigger):
    """The child instance reported an uncaught BPMN error (see ``InstanceFailed``);
    ``variables`` are the error's own variables only."""

    wait_id: str
    error_code: str
    message: str | None = None
    variables: Mapping[str, Any] = _vars()


@dataclass(frozen=True, slots=True)
class EscalateCallActivity(Trigger):
    """The child instance reported an uncaught escalation (see ``InstanceEscalated``);
    ``variables`` are its root scope variables (mapped out like on completion)."""

    wait_id: str
    escalation_code: str | None
    variables: Mapping[str, Any] = _vars()


@dataclass(frozen=True, slots=True)
class ReportIncident(Trigger):
    """The service layer could not serve a wait (e.g. called process not deployed).

    The wait is withdrawn and the token stops with an incident; ``RetryIncident``
    re-executes the node (which opens the wait again).
    """

    wait_id: str
    kind: IncidentKind
    message: str
    #: Keep the wait open (a failed job: the token still waits on it, and the service
    #: re-arms the job on retry) instead of withdrawing it.
    keep_wait: bool = False
    details: str = ""


@dataclass(frozen=True, slots=True)
class RetryIncident(Trigger):
    incident_id: str


@dataclass(frozen=True, slots=True)
class ResolveIncident(Trigger):
    """An incident raised with ``keep_wait`` is over (its job was re-armed): the token
    goes on waiting."""

    incident_id: str


@dataclass(frozen=True, slots=True)
class SetVariables(Trigger):
    """Set variables from outside: ``scope_id`` None writes with the scoping rule from the
    root scope; a scope id writes local to that scope."""

    variables: Mapping[str, Any]
    scope_id: str | None = None


@dataclass(frozen=True, slots=True)
class Cancel(Trigger):
    """Cancel the whole instance, withdrawing every wait."""

    reason: str | None = None


@dataclass(frozen=True, slots=True)
class MoveToken(Trigger):
    """Process instance modification: cancel every token at ``cancel_node_id`` and start
    one token before ``start_before_node_id`` in the scope that contains that node."""

    cancel_node_id: str
    start_before_node_id: str
