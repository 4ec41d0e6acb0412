"""Validation rules that only apply to executable processes (what the engine must be able
to run): start events, reachability, gateway conditions, timers, expressions, scripts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from bpmn_engine.bpmn.issues import ValidationIssue, warning
from bpmn_engine.bpmn.model import (
    AdHocSubProcess,
    BoundaryEvent,
    CallActivity,
    CancelEventDefinition,
    ComplexGateway,
    ConditionalEventDefinition,
    Definitions,
    EndEvent,
    Event,
    ExclusiveGateway,
    FlowNode,
    Gateway,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    LinkEventDefinition,
    MessageEventDefinition,
    MultiInstanceLoopCharacteristics,
    ScriptTask,
    SignalEventDefinition,
    StandardLoopCharacteristics,
    StartEvent,
    SubProcess,
    TimerEventDefinition,
    Transaction,
)
from bpmn_engine.bpmn.rule_support import ProcessCheck
from bpmn_engine.bpmn.syntax_checks import (
    SUPPORTED_SCRIPT_FORMATS,
    expression_error,
    is_supported_script_format,
    timer_error,
)

_RUNNABLE_FORMATS = ", ".join(SUPPORTED_SCRIPT_FORMATS)
_TOP_LEVEL_START_TRIGGERS = (
    MessageEventDefinition,
    TimerEventDefinition,
    SignalEventDefinition,
    ConditionalEventDefinition,
)


def check_start_event(check: ProcessCheck) -> Iterator[ValidationIssue]:
    """An executable process needs a none, message, timer, signal or conditional start."""
    for start in check.process.start_events():
        if all(isinstance(d, _TOP_LEVEL_START_TRIGGERS) for d in start.event_definitions):
            return
    yield check.error(
        "no-start-event",
        f"Expected executable process '{check.process.id}' to have a start event (none, "
        "message, timer, signal or conditional) at its top level, but it has none",
        check.process,
    )


def _starts_on_its_own(node: FlowNode, check: ProcessCheck) -> bool:
    if isinstance(node, StartEvent | BoundaryEvent):
        return True
    if isinstance(node, SubProcess) and node.triggered_by_event:
        return True
    if getattr(node, "is_for_compensation", False):
        return True
    if isinstance(node, IntermediateCatchEvent) and any(
        isinstance(d, LinkEventDefinition) for d in node.event_definitions
    ):
        return True
    parent = check.process.all_nodes.get(node.parent_id)
    # A subprocess without start event starts every node that has no incoming flow.
    return isinstance(parent, SubProcess) and not parent.start_events()


def check_unreachable(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        if not node.incoming and not _starts_on_its_own(node, check):
            yield check.warning(
                "unreachable",
                f"Expected '{node.id}' to be reached by a sequence flow, but it has no "
                "incoming flow (unreachable)",
                node,
            )


def check_gateway_outgoing(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        if isinstance(node, Gateway) and not node.outgoing:
            yield check.error(
                "gateway-without-outgoing",
                f"Expected gateway '{node.id}' to have an outgoing sequence flow, but it has none",
                node,
            )


def check_gateway_conditions(check: ProcessCheck) -> Iterator[ValidationIssue]:
    """Diverging exclusive/inclusive gateways: every non-default flow needs a condition."""
    for node in check.process.all_nodes.values():
        if not isinstance(node, ExclusiveGateway | InclusiveGateway) or len(node.outgoing) < 2:
            continue
        kind = "exclusive" if isinstance(node, ExclusiveGateway) else "inclusive"
        for flow_id in node.outgoing:
            flow = check.process.all_flows.get(flow_id)
            if flow is None or flow_id == node.default or flow.condition is not None:
                continue
            yield check.error(
                "missing-condition",
                f"Expected sequence flow '{flow_id}' leaving {kind} gateway '{node.id}' to "
                "have a condition (or to be the gateway's default flow), but it has none",
                flow,
            )


def _timers(check: ProcessCheck) -> Iterator[tuple[FlowNode, TimerEventDefinition]]:
    for node in check.process.all_nodes.values():
        if isinstance(node, Event):
            for definition in node.event_definitions:
                if isinstance(definition, TimerEventDefinition):
                    yield node, definition


def check_timers(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node, timer in _timers(check):
        if timer.kind is None or not timer.expression:
            yield check.error(
                "timer-undefined",
                f"Expected timer event '{node.id}' to define timeDate, timeDuration or "
                "timeCycle, but it defines none",
                node,
            )
            continue
        problem = timer_error(timer.kind, timer.expression)
        if problem is not None:
            yield check.error(
                "invalid-timer",
                f"Expected timer event '{node.id}' to have a valid {timer.kind.value} "
                f"('{timer.expression}'), but {problem}",
                node,
            )


def _expressions(check: ProcessCheck) -> Iterator[tuple[Any, str, str]]:
    for flow in check.process.all_flows.values():
        if flow.condition:
            yield flow, "condition", flow.condition
    for node in check.process.all_nodes.values():
        loop = getattr(node, "loop", None)
        if isinstance(loop, MultiInstanceLoopCharacteristics) and loop.completion_condition:
            yield node, "completion condition", loop.completion_condition
        if isinstance(loop, StandardLoopCharacteristics) and loop.loop_condition:
            yield node, "loop condition", loop.loop_condition
        for definition in getattr(node, "event_definitions", ()):
            if isinstance(definition, ConditionalEventDefinition) and definition.condition:
                yield node, "condition", definition.condition


def check_expressions(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for element, what, text in _expressions(check):
        problem = expression_error(text)
        if problem is not None:
            yield check.error(
                "expression-syntax",
                f"Expected the {what} of '{element.id}' to be a valid expression, but {problem}",
                element,
            )


def check_scripts(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        if isinstance(node, ScriptTask):
            if node.resource:
                yield check.error(
                    "external-script",
                    f"Expected script task '{node.id}' to contain its script, but it loads "
                    f"'{node.resource}' (camunda:resource external scripts are not run)",
                    node,
                )
            elif not is_supported_script_format(node.script_format):
                yield _script_format_issue(check, node, node.script_format)
        if node.io_mapping is not None:
            for parameter in (*node.io_mapping.inputs, *node.io_mapping.outputs):
                if parameter.kind == "script" and not is_supported_script_format(
                    parameter.script_format
                ):
                    yield _script_format_issue(check, node, parameter.script_format)


def _script_format_issue(check: ProcessCheck, node: Any, script_format: Any) -> ValidationIssue:
    return check.error(
        "unsupported-script-format",
        f"Expected '{node.id}' to use a script format we run ({_RUNNABLE_FORMATS}, or none), "
        f"but it uses '{script_format}'",
        node,
    )


def check_not_executable_yet(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        if isinstance(node, ComplexGateway | AdHocSubProcess):
            yield check.warning(
                "not-executable-yet",
                f"Expected '{node.id}' to be executable, but <{node.tag}> is parsed but not "
                "executable yet",
                node,
            )


def check_cancel_events(check: ProcessCheck) -> Iterator[ValidationIssue]:
    """Cancel end events belong in transactions; cancel boundaries on transactions."""
    nodes = check.process.all_nodes
    for node in nodes.values():
        if not isinstance(node, EndEvent | BoundaryEvent) or not any(
            isinstance(d, CancelEventDefinition) for d in node.event_definitions
        ):
            continue
        scope_id = node.attached_to_ref if isinstance(node, BoundaryEvent) else node.parent_id
        if not isinstance(nodes.get(scope_id), Transaction):
            yield check.error(
                "cancel-outside-transaction",
                f"Expected cancel event '{node.id}' to be inside (or attached to) a "
                "transaction subprocess, but it is not",
                node,
            )


def _link_names(node: FlowNode) -> list[str]:
    return [
        d.link_name or ""
        for d in getattr(node, "event_definitions", ())
        if isinstance(d, LinkEventDefinition)
    ]


def check_links(check: ProcessCheck) -> Iterator[ValidationIssue]:
    """Within one scope each link name has one catch event; every throw finds its catch."""
    catches: dict[tuple[str, str], Any] = {}
    throws: list[tuple[Any, str]] = []
    for node in check.process.all_nodes.values():
        for name in _link_names(node):
            if isinstance(node, IntermediateCatchEvent):
                key = (node.parent_id, name)
                if key in catches:
                    yield check.error(
                        "duplicate-link-catch",
                        f"Expected link name '{name}' to be caught once in "
                        f"'{node.parent_id}', but '{catches[key].id}' and '{node.id}' both "
                        "catch it",
                        node,
                    )
                catches.setdefault(key, node)
            elif isinstance(node, IntermediateThrowEvent):
                throws.append((node, name))
    for node, name in throws:
        if (node.parent_id, name) not in catches:
            yield check.error(
                "unmatched-link",
                f"Expected link throw event '{node.id}' to find a link catch event named "
                f"'{name}' in '{node.parent_id}', but there is none",
                node,
            )


def check_loops(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        loop = getattr(node, "loop", None)
        if isinstance(loop, StandardLoopCharacteristics) and (
            not loop.loop_condition and loop.loop_maximum is None
        ):
            yield check.error(
                "endless-loop",
                f"Expected the standard loop of '{node.id}' to have a loopCondition or "
                "loopMaximum, but it has neither (it would loop forever)",
                node,
            )


def check_jobs_and_calls(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        job = getattr(node, "job", None)
        if job is not None and job.type is not None and not job.type.strip():
            yield check.error(
                "empty-job-type",
                f"Expected '{node.id}' to name a job type, but its type is empty",
                node,
            )
        if isinstance(node, CallActivity) and not (node.called_element or "").strip():
            yield check.error(
                "missing-called-element",
                f"Expected call activity '{node.id}' to name the process it calls, but "
                "calledElement is empty",
                node,
            )


EXECUTION_RULES: tuple[Callable[[ProcessCheck], Iterable[ValidationIssue]], ...] = (
    check_start_event,
    check_unreachable,
    check_gateway_outgoing,
    check_gateway_conditions,
    check_timers,
    check_expressions,
    check_scripts,
    check_not_executable_yet,
    check_cancel_events,
    check_links,
    check_loops,
    check_jobs_and_calls,
)

_NOT_EXECUTABLE_ROOTS = frozenset(
    {"choreography", "globalChoreographyTask", "globalConversation", "conversation"}
)


def check_not_executable_root_elements(
    definitions: Definitions, elements: dict[str, Any]
) -> Iterator[ValidationIssue]:
    for element in definitions.other_root_elements:
        if element.tag in _NOT_EXECUTABLE_ROOTS:
            yield warning(
                "not-executable-yet",
                f"Expected '{element.id}' to be executable, but <{element.tag}> is parsed but "
                "not executable yet",
                element.id or None,
                element.line or None,
            )
