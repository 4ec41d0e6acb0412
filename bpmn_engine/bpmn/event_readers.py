"""Readers for events and event definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from bpmn_engine.bpmn.extensions import vendor_attr
from bpmn_engine.bpmn.model import (
    BoundaryEvent,
    CancelEventDefinition,
    CompensateEventDefinition,
    ConditionalEventDefinition,
    EndEvent,
    ErrorEventDefinition,
    EscalationEventDefinition,
    EventDefinition,
    FlowNode,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    LinkEventDefinition,
    MessageEventDefinition,
    SignalEventDefinition,
    StartEvent,
    TerminateEventDefinition,
    TimerEventDefinition,
    TimerKind,
)
from bpmn_engine.bpmn.reading import (
    Kids,
    ReadContext,
    base_kwargs,
    bool_attr,
    flow_node_kwargs,
    ref_attr,
)
from bpmn_engine.bpmn.syntax_checks import unquoted
from bpmn_engine.bpmn.task_readers import form_of, job_of
from bpmn_engine.bpmn.vocabulary import EVENT_DEFINITION_TAGS

DefinitionReader = Callable[[etree._Element, Kids, ReadContext], EventDefinition]

_TIMER_CHILDREN = (
    ("timeDate", TimerKind.DATE),
    ("timeDuration", TimerKind.DURATION),
    ("timeCycle", TimerKind.CYCLE),
)


def read_timer_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    kind: TimerKind | None = None
    expression: str | None = None
    for local, timer_kind in _TIMER_CHILDREN:
        if local in kids.groups:
            text = kids.take_text(local)
            if kind is None:
                kind, expression = timer_kind, unquoted(text) if text else text
    return TimerEventDefinition(kind=kind, expression=expression, **base_kwargs(el, kids, ctx))


def read_message_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    return MessageEventDefinition(
        message_ref=ref_attr(el, "messageRef", ctx), **base_kwargs(el, kids, ctx)
    )


def read_signal_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    return SignalEventDefinition(
        signal_ref=ref_attr(el, "signalRef", ctx), **base_kwargs(el, kids, ctx)
    )


def read_error_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    return ErrorEventDefinition(
        error_ref=ref_attr(el, "errorRef", ctx),
        error_code_variable=vendor_attr(el, "errorCodeVariable"),
        error_message_variable=vendor_attr(el, "errorMessageVariable"),
        **base_kwargs(el, kids, ctx),
    )


def read_escalation_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    return EscalationEventDefinition(
        escalation_ref=ref_attr(el, "escalationRef", ctx),
        escalation_code_variable=vendor_attr(el, "escalationCodeVariable"),
        **base_kwargs(el, kids, ctx),
    )


def read_compensate_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    return CompensateEventDefinition(
        activity_ref=ref_attr(el, "activityRef", ctx),
        wait_for_completion=bool_attr(el, "waitForCompletion", True),
        **base_kwargs(el, kids, ctx),
    )


def read_conditional_definition(
    el: etree._Element, kids: Kids, ctx: ReadContext
) -> EventDefinition:
    events = vendor_attr(el, "variableEvents")
    return ConditionalEventDefinition(
        condition=kids.take_text("condition"),
        variable_name=vendor_attr(el, "variableName"),
        variable_events=tuple(e.strip() for e in (events or "").split(",") if e.strip()),
        **base_kwargs(el, kids, ctx),
    )


def read_link_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    # <source>/<target> only name the paired link definitions; pairing is by name.
    kids.take("source")
    kids.take("target")
    return LinkEventDefinition(link_name=el.get("name"), **base_kwargs(el, kids, ctx))


def read_terminate_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    return TerminateEventDefinition(**base_kwargs(el, kids, ctx))


def read_cancel_definition(el: etree._Element, kids: Kids, ctx: ReadContext) -> EventDefinition:
    return CancelEventDefinition(**base_kwargs(el, kids, ctx))


EVENT_DEFINITION_READERS: dict[str, DefinitionReader] = {
    "timerEventDefinition": read_timer_definition,
    "messageEventDefinition": read_message_definition,
    "signalEventDefinition": read_signal_definition,
    "errorEventDefinition": read_error_definition,
    "escalationEventDefinition": read_escalation_definition,
    "compensateEventDefinition": read_compensate_definition,
    "conditionalEventDefinition": read_conditional_definition,
    "linkEventDefinition": read_link_definition,
    "terminateEventDefinition": read_terminate_definition,
    "cancelEventDefinition": read_cancel_definition,
}
assert set(EVENT_DEFINITION_READERS) == EVENT_DEFINITION_TAGS


def read_event_definition(el: etree._Element, local: str, ctx: ReadContext) -> EventDefinition:
    """One ``*EventDefinition`` element (inside an event or at the root)."""
    return EVENT_DEFINITION_READERS[local](el, Kids(el, local, ctx), ctx)


def _event_kwargs(
    el: etree._Element, kids: Kids, ctx: ReadContext, parent_id: str
) -> dict[str, Any]:
    definitions = []
    for local, child in kids.order:
        if local in EVENT_DEFINITION_TAGS:
            definitions.append(read_event_definition(child, local, ctx))
    for local in EVENT_DEFINITION_TAGS:
        kids.take(local)
    return {
        "event_definitions": tuple(definitions),
        **flow_node_kwargs(el, kids, ctx, parent_id),
    }


def read_start_event(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "startEvent", ctx)
    return StartEvent(
        is_interrupting=bool_attr(el, "isInterrupting", True),
        form=form_of(el, kids),
        initiator=vendor_attr(el, "initiator"),
        **_event_kwargs(el, kids, ctx, parent_id),
    )


def read_end_event(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "endEvent", ctx)
    return EndEvent(
        job=job_of(el, kids, optional=True, ctx=ctx), **_event_kwargs(el, kids, ctx, parent_id)
    )


def read_intermediate_catch_event(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "intermediateCatchEvent", ctx)
    return IntermediateCatchEvent(**_event_kwargs(el, kids, ctx, parent_id))


def read_intermediate_throw_event(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "intermediateThrowEvent", ctx)
    return IntermediateThrowEvent(
        job=job_of(el, kids, optional=True, ctx=ctx), **_event_kwargs(el, kids, ctx, parent_id)
    )


def read_boundary_event(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "boundaryEvent", ctx)
    return BoundaryEvent(
        attached_to_ref=ref_attr(el, "attachedToRef", ctx) or "",
        cancel_activity=bool_attr(el, "cancelActivity", True),
        **_event_kwargs(el, kids, ctx, parent_id),
    )
