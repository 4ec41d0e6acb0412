"""Validation of a parsed model: structural rules for every process, execution rules for
executable ones (``isExecutable`` true or absent), and document-wide reference rules.

Each rule is a small function returning issues; ``validate_definitions`` runs them all
and never raises (a failing rule becomes an issue itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from bpmn_engine.bpmn import bound_rules, execution_rules
from bpmn_engine.bpmn.issues import ValidationIssue, error, warning
from bpmn_engine.bpmn.model import (
    Activity,
    BoundaryEvent,
    CompensateEventDefinition,
    Definitions,
    DiagramEdge,
    DiagramShape,
    ErrorEventDefinition,
    EscalationEventDefinition,
    Event,
    FlowElementsContainer,
    Gateway,
    Lane,
    MessageEventDefinition,
    Process,
    ReceiveTask,
    SendTask,
    SignalEventDefinition,
    SubProcess,
)
from bpmn_engine.bpmn.rule_support import ProcessCheck, describe
from bpmn_engine.bpmn.walk import iter_model_elements

Rule = Callable[[ProcessCheck], Iterable[ValidationIssue]]


def validate_definitions(definitions: Definitions) -> tuple[ValidationIssue, ...]:
    """Every problem of the model at once (errors block deployment, warnings do not)."""
    elements = _elements_by_id(definitions)
    issues: list[ValidationIssue] = []
    for process in definitions.processes.values():
        check = ProcessCheck(definitions=definitions, process=process, elements=elements)
        rules = STRUCTURAL_RULES
        if process.is_executable is not False:
            rules = STRUCTURAL_RULES + execution_rules.EXECUTION_RULES + BOUND_RULES
        for rule in rules:
            issues.extend(_run(rule, check))
    for document_rule in DOCUMENT_RULES:
        issues.extend(_run(document_rule, definitions, elements))
    return tuple(issues)


def _run(rule: Callable[..., Iterable[ValidationIssue]], *args: Any) -> list[ValidationIssue]:
    try:
        return list(rule(*args))
    except Exception as exc:  # a validator bug must not hide the other problems
        return [
            error(
                "validation-failed",
                f"Expected to run check {rule.__name__}, but it failed: {exc!r}",
            )
        ]


def _elements_by_id(definitions: Definitions) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for element in iter_model_elements(definitions):
        element_id = getattr(element, "id", "")
        if element_id:
            found.setdefault(element_id, element)
    return found


def _containers(process: Process) -> Iterator[FlowElementsContainer]:
    yield process
    for node in process.all_nodes.values():
        if isinstance(node, SubProcess):
            yield node


# --------------------------------------------------------------------------- structural rules


def check_flow_references(check: ProcessCheck) -> Iterator[ValidationIssue]:
    """Sequence flows connect existing flow nodes of their own container."""
    for container in _containers(check.process):
        for flow in container.flows.values():
            for end, ref in (("source", flow.source_ref), ("target", flow.target_ref)):
                yield from _flow_end(check, flow, end, ref)


def _flow_end(check: ProcessCheck, flow: Any, end: str, ref: str) -> Iterator[ValidationIssue]:
    verb = "start at" if end == "source" else "end at"
    label = f"sequence flow '{flow.id}'"
    if not ref:
        yield check.error(
            f"missing-{end}-ref", f"Expected {label} to have a {end}Ref, but it has none", flow
        )
        return
    node = check.process.all_nodes.get(ref)
    if node is None:
        other = check.elements.get(ref)
        if other is None:
            yield check.error(
                f"dangling-{end}-ref",
                f"Expected {label} to {verb} an element, but '{ref}' does not exist",
                flow,
            )
        else:
            yield check.error(
                f"{end}-not-flow-node",
                f"Expected {label} to {verb} a flow node of process '{check.process.id}', "
                f"but '{ref}' is {describe(other)}",
                flow,
            )
    elif node.parent_id != flow.parent_id:
        yield check.error(
            "flow-crosses-boundary",
            f"Expected {label} to stay inside '{flow.parent_id}', but its {end} '{ref}' "
            f"lies in '{node.parent_id}' (flows cannot cross subprocess boundaries)",
            flow,
        )


def check_default_flows(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        default = getattr(node, "default", None)
        if default and default not in node.outgoing:
            yield check.error(
                "default-not-outgoing",
                f"Expected default flow '{default}' to be an outgoing sequence flow of "
                f"'{node.id}', but it is not",
                node,
            )


def check_boundary_events(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        if not isinstance(node, BoundaryEvent):
            continue
        host = check.process.all_nodes.get(node.attached_to_ref)
        if not node.attached_to_ref:
            yield check.error(
                "missing-attached-to-ref",
                f"Expected boundary event '{node.id}' to be attached to an activity, but it "
                "has no attachedToRef",
                node,
            )
        elif host is None:
            yield check.error(
                "dangling-attached-to-ref",
                f"Expected boundary event '{node.id}' to be attached to an activity, but "
                f"'{node.attached_to_ref}' does not exist in process '{check.process.id}'",
                node,
            )
        elif not isinstance(host, Activity):
            yield check.error(
                "attached-to-non-activity",
                f"Expected boundary event '{node.id}' to be attached to an activity, but "
                f"'{host.id}' is {describe(host)}",
                node,
            )


_ROOT_REFS = (
    (MessageEventDefinition, "message_ref", "messages", "message"),
    (SignalEventDefinition, "signal_ref", "signals", "signal"),
    (ErrorEventDefinition, "error_ref", "errors", "error"),
    (EscalationEventDefinition, "escalation_ref", "escalations", "escalation"),
)


def check_event_references(check: ProcessCheck) -> Iterator[ValidationIssue]:
    """message/signal/error/escalation references point at root elements of the file."""
    definitions = check.definitions
    for node in check.process.all_nodes.values():
        message_ref = getattr(node, "message_ref", None)
        if isinstance(node, SendTask | ReceiveTask) and message_ref:
            yield from _missing(check, node, "message", message_ref, definitions.messages)
        if not isinstance(node, Event):
            continue
        for definition in node.event_definitions:
            for kind, attribute, mapping, label in _ROOT_REFS:
                ref = getattr(definition, attribute, None) if isinstance(definition, kind) else None
                if ref and ref not in getattr(definitions, mapping):
                    yield _unknown_ref(check, node, label, ref)
            if isinstance(definition, CompensateEventDefinition) and definition.activity_ref:
                nodes = check.process.all_nodes
                yield from _missing(check, node, "activity", definition.activity_ref, nodes)


def _missing(
    check: ProcessCheck, node: Any, label: str, ref: str, known: Any
) -> Iterator[ValidationIssue]:
    if ref not in known:
        yield _unknown_ref(check, node, label, ref)


def _unknown_ref(check: ProcessCheck, node: Any, label: str, ref: str) -> ValidationIssue:
    return check.error(
        f"unknown-{label}-ref",
        f"Expected '{node.id}' to reference a {label}, but '{ref}' does not exist",
        node,
    )


def check_lane_references(check: ProcessCheck) -> Iterator[ValidationIssue]:
    def walk(lanes: tuple[Lane, ...]) -> Iterator[ValidationIssue]:
        for lane in lanes:
            for ref in lane.flow_node_refs:
                if ref not in check.process.all_nodes:
                    yield check.warning(
                        "dangling-lane-ref",
                        f"Expected lane '{lane.id}' to list flow nodes, but '{ref}' does not "
                        "exist; the reference is ignored",
                        lane,
                    )
            yield from walk(lane.child_lanes)

    yield from walk(check.process.lanes)


def check_gateway_defaults_exist(check: ProcessCheck) -> Iterator[ValidationIssue]:
    for node in check.process.all_nodes.values():
        if (
            isinstance(node, Gateway)
            and node.default
            and node.default not in (check.process.all_flows)
        ):
            yield check.error(
                "dangling-default-ref",
                f"Expected gateway '{node.id}' to name an existing default flow, but "
                f"'{node.default}' does not exist",
                node,
            )


STRUCTURAL_RULES: tuple[Rule, ...] = (
    check_flow_references,
    check_default_flows,
    check_gateway_defaults_exist,
    check_boundary_events,
    check_event_references,
    check_lane_references,
)


# --------------------------------------------------------------------------- document rules


def check_message_flows(
    definitions: Definitions, elements: dict[str, Any]
) -> Iterator[ValidationIssue]:
    for collaboration in definitions.collaborations:
        for flow in collaboration.message_flows:
            for end, ref in (("source", flow.source_ref), ("target", flow.target_ref)):
                if ref not in elements:
                    yield error(
                        f"dangling-message-flow-{end}",
                        f"Expected message flow '{flow.id}' to connect existing elements, but "
                        f"its {end} '{ref or '(none)'}' does not exist",
                        flow.id,
                        flow.line,
                    )
            if flow.message_ref and flow.message_ref not in definitions.messages:
                yield error(
                    "unknown-message-ref",
                    f"Expected '{flow.id}' to reference a message, but '{flow.message_ref}' "
                    "does not exist",
                    flow.id,
                    flow.line,
                )


def check_participants(
    definitions: Definitions, elements: dict[str, Any]
) -> Iterator[ValidationIssue]:
    for collaboration in definitions.collaborations:
        for participant in collaboration.participants:
            ref = participant.process_ref
            if ref and ref not in definitions.processes:
                yield error(
                    "unknown-process-ref",
                    f"Expected participant '{participant.id}' to reference a process, but "
                    f"'{ref}' does not exist",
                    participant.id,
                    participant.line,
                )


def check_diagram_references(
    definitions: Definitions, elements: dict[str, Any]
) -> Iterator[ValidationIssue]:
    for diagram in definitions.diagrams:
        if diagram.plane_element_id and diagram.plane_element_id not in elements:
            yield warning(
                "dangling-diagram-ref",
                f"Expected diagram '{diagram.id}' to show an existing process or "
                f"collaboration, but '{diagram.plane_element_id}' does not exist",
                diagram.id,
            )
        drawn: tuple[DiagramShape | DiagramEdge, ...] = (*diagram.shapes, *diagram.edges)
        for shape in drawn:
            if shape.element_id and shape.element_id not in elements:
                yield warning(
                    "dangling-diagram-ref",
                    f"Expected diagram element '{shape.id}' to draw an existing element, but "
                    f"'{shape.element_id}' does not exist",
                    shape.id,
                )


DOCUMENT_RULES = (
    check_message_flows,
    check_participants,
    check_diagram_references,
    execution_rules.check_not_executable_root_elements,
    bound_rules.check_column_lengths,
)
BOUND_RULES: tuple[Rule, ...] = (
    bound_rules.check_wait_free_cycles,
    bound_rules.check_unbounded_loops,
)
