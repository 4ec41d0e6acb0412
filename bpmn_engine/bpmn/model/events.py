"""Event definitions and the event flow nodes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bpmn_engine.bpmn.model.base import BaseElement
from bpmn_engine.bpmn.model.extensions import JobDefinition, UserTaskAssignment
from bpmn_engine.bpmn.model.flow import FlowNode


class TimerKind(StrEnum):
    DATE = "date"
    DURATION = "duration"
    CYCLE = "cycle"


@dataclass(frozen=True, kw_only=True, eq=False)
class EventDefinition(BaseElement):
    """Base of the ``*EventDefinition`` elements. ``id`` may be empty (it is optional)."""

    id: str = ""


@dataclass(frozen=True, kw_only=True, eq=False)
class TimerEventDefinition(EventDefinition):
    """``timeDate`` / ``timeDuration`` / ``timeCycle``; ``expression`` is the raw text."""

    tag: str = "timerEventDefinition"
    kind: TimerKind | None = None
    expression: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class MessageEventDefinition(EventDefinition):
    tag: str = "messageEventDefinition"
    message_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class SignalEventDefinition(EventDefinition):
    tag: str = "signalEventDefinition"
    signal_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class ErrorEventDefinition(EventDefinition):
    """On a catch event, ``error_ref`` None catches every error."""

    tag: str = "errorEventDefinition"
    error_ref: str | None = None
    error_code_variable: str | None = None  # camunda:errorCodeVariable
    error_message_variable: str | None = None  # camunda:errorMessageVariable


@dataclass(frozen=True, kw_only=True, eq=False)
class EscalationEventDefinition(EventDefinition):
    tag: str = "escalationEventDefinition"
    escalation_ref: str | None = None
    escalation_code_variable: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class CompensateEventDefinition(EventDefinition):
    """``activity_ref`` None compensates every completed activity of the scope."""

    tag: str = "compensateEventDefinition"
    activity_ref: str | None = None
    wait_for_completion: bool = True


@dataclass(frozen=True, kw_only=True, eq=False)
class ConditionalEventDefinition(EventDefinition):
    tag: str = "conditionalEventDefinition"
    condition: str | None = None
    variable_name: str | None = None  # camunda:variableName
    variable_events: tuple[str, ...] = ()  # camunda:variableEvents (create, update, delete)


@dataclass(frozen=True, kw_only=True, eq=False)
class LinkEventDefinition(EventDefinition):
    tag: str = "linkEventDefinition"
    link_name: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class TerminateEventDefinition(EventDefinition):
    tag: str = "terminateEventDefinition"


@dataclass(frozen=True, kw_only=True, eq=False)
class CancelEventDefinition(EventDefinition):
    tag: str = "cancelEventDefinition"


@dataclass(frozen=True, kw_only=True, eq=False)
class Event(FlowNode):
    event_definitions: tuple[EventDefinition, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class StartEvent(Event):
    """``is_interrupting`` matters only inside event subprocesses."""

    tag: str = "startEvent"
    is_interrupting: bool = True
    form: UserTaskAssignment | None = None  # camunda:formKey / formData on the start event
    initiator: str | None = None  # camunda:initiator


@dataclass(frozen=True, kw_only=True, eq=False)
class EndEvent(Event):
    tag: str = "endEvent"
    job: JobDefinition | None = None  # message end events implemented like send tasks


@dataclass(frozen=True, kw_only=True, eq=False)
class IntermediateCatchEvent(Event):
    tag: str = "intermediateCatchEvent"


@dataclass(frozen=True, kw_only=True, eq=False)
class IntermediateThrowEvent(Event):
    tag: str = "intermediateThrowEvent"
    job: JobDefinition | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class BoundaryEvent(Event):
    tag: str = "boundaryEvent"
    attached_to_ref: str
    cancel_activity: bool = True
