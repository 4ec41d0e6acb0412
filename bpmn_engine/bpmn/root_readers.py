"""Readers for root elements: definitions, processes (with lanes), collaborations,
messages, signals, errors and escalations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from bpmn_engine.bpmn.di import read_diagram
from bpmn_engine.bpmn.element_readers import read_flow_elements
from bpmn_engine.bpmn.event_readers import EVENT_DEFINITION_READERS, read_event_definition
from bpmn_engine.bpmn.extensions import split_list, vendor_attr
from bpmn_engine.bpmn.issues import error
from bpmn_engine.bpmn.model import (
    BaseElement,
    Collaboration,
    Definitions,
    Diagram,
    Error,
    Escalation,
    FlowNode,
    Lane,
    Message,
    MessageFlow,
    Participant,
    Process,
    SequenceFlow,
    Signal,
    SubProcess,
    frozen_mapping,
)
from bpmn_engine.bpmn.reading import Kids, ReadContext, base_kwargs, optional_bool, read_generic
from bpmn_engine.bpmn.reading import ref_attr as ref
from bpmn_engine.bpmn.vocabulary import ROOT_ELEMENT_TAGS
from bpmn_engine.bpmn.xml_reader import BPMN_PREFIX, BPMNDI_NS

_DIAGRAM = "{" + BPMNDI_NS + "}BPMNDiagram"


def read_lane(el: etree._Element, ctx: ReadContext) -> Lane:
    kids = Kids(el, "lane", ctx)
    refs = kids.texts("flowNodeRef")
    child_lanes: list[Lane] = []
    for lane_set in kids.take("childLaneSet"):
        child_lanes.extend(_lanes_of(lane_set, "childLaneSet", ctx))
    return Lane(flow_node_refs=refs, child_lanes=tuple(child_lanes), **base_kwargs(el, kids, ctx))


def _lanes_of(lane_set: etree._Element, local: str, ctx: ReadContext) -> list[Lane]:
    """The lanes of a (child) lane set; the set itself only holds them."""
    kids = Kids(lane_set, local, ctx)
    lanes = [read_lane(lane, ctx) for lane in kids.take("lane")]
    kids.take("documentation")
    return lanes


def _index_nodes(
    nodes: dict[str, FlowNode], flows: dict[str, SequenceFlow], container: Any
) -> None:
    for node_id, node in container.nodes.items():
        nodes[node_id] = node
        if isinstance(node, SubProcess):
            _index_nodes(nodes, flows, node)
    flows.update(container.flows)


def read_process(el: etree._Element, ctx: ReadContext) -> Process:
    kids = Kids(el, "process", ctx)
    process_id = el.get("id") or ""
    content = read_flow_elements(kids, ctx, process_id)
    lanes: list[Lane] = []
    for lane_set in kids.take("laneSet"):
        lanes.extend(_lanes_of(lane_set, "laneSet", ctx))
    all_nodes: dict[str, FlowNode] = {}
    all_flows: dict[str, SequenceFlow] = {}
    _index_nodes(all_nodes, all_flows, _Content(content))
    version_tag = vendor_attr(el, "versionTag") or kids.ext.z("versionTag", "value")
    return Process(
        is_executable=optional_bool(el, "isExecutable"),
        all_nodes=frozen_mapping(all_nodes),
        all_flows=frozen_mapping(all_flows),
        lanes=tuple(lanes),
        candidate_starter_groups=split_list(vendor_attr(el, "candidateStarterGroups")),
        candidate_starter_users=split_list(vendor_attr(el, "candidateStarterUsers")),
        version_tag=version_tag,
        history_time_to_live=vendor_attr(el, "historyTimeToLive"),
        user_task_forms=frozen_mapping(kids.ext.user_task_forms)
        if kids.ext_element is not None
        else frozen_mapping(),
        **content,
        **base_kwargs(el, kids, ctx),
    )


class _Content:
    """Adapter so ``_index_nodes`` can walk the process content before the Process exists."""

    def __init__(self, content: dict[str, Any]) -> None:
        self.nodes = content["nodes"]
        self.flows = content["flows"]


def read_participant(el: etree._Element, ctx: ReadContext) -> Participant:
    kids = Kids(el, "participant", ctx)
    return Participant(process_ref=ref(el, "processRef", ctx), **base_kwargs(el, kids, ctx))


def read_message_flow(el: etree._Element, ctx: ReadContext) -> MessageFlow:
    kids = Kids(el, "messageFlow", ctx)
    return MessageFlow(
        source_ref=ref(el, "sourceRef", ctx) or "",
        target_ref=ref(el, "targetRef", ctx) or "",
        message_ref=ref(el, "messageRef", ctx),
        **base_kwargs(el, kids, ctx),
    )


def read_collaboration(el: etree._Element, ctx: ReadContext) -> Collaboration:
    kids = Kids(el, "collaboration", ctx)
    participants = tuple(read_participant(p, ctx) for p in kids.take("participant"))
    message_flows = tuple(read_message_flow(m, ctx) for m in kids.take("messageFlow"))
    artifacts: list[BaseElement] = []
    for local, child in kids.order:
        if local in ("textAnnotation", "association", "group") and local in kids.groups:
            artifacts.append(read_generic(child, local, ctx))
    for local in ("textAnnotation", "association", "group"):
        kids.take(local)
    return Collaboration(
        tag=el.tag.rpartition("}")[2],
        participants=participants,
        message_flows=message_flows,
        artifacts=tuple(artifacts),
        **base_kwargs(el, kids, ctx),
    )


def read_message(el: etree._Element, ctx: ReadContext) -> Message:
    kids = Kids(el, "message", ctx)
    key = kids.ext.z("subscription", "correlationKey") if kids.ext_element is not None else None
    return Message(correlation_key=key, **base_kwargs(el, kids, ctx))


def read_signal(el: etree._Element, ctx: ReadContext) -> Signal:
    return Signal(**base_kwargs(el, Kids(el, "signal", ctx), ctx))


def read_error(el: etree._Element, ctx: ReadContext) -> Error:
    kids = Kids(el, "error", ctx)
    return Error(
        error_code=el.get("errorCode"),
        error_message=vendor_attr(el, "errorMessage"),
        **base_kwargs(el, kids, ctx),
    )


def read_escalation(el: etree._Element, ctx: ReadContext) -> Escalation:
    kids = Kids(el, "escalation", ctx)
    return Escalation(escalation_code=el.get("escalationCode"), **base_kwargs(el, kids, ctx))


RootReader = Callable[[etree._Element, ReadContext], BaseElement]
ROOT_READERS: dict[str, tuple[str, RootReader]] = {
    "process": ("processes", read_process),
    "message": ("messages", read_message),
    "signal": ("signals", read_signal),
    "error": ("errors", read_error),
    "escalation": ("escalations", read_escalation),
}


def read_definitions(root: etree._Element, ctx: ReadContext) -> Definitions:
    """The whole document; ``root`` must be ``bpmn:definitions``."""
    if root.get("id"):
        ctx.register_id(root, root.get("id") or "")
    kids = Kids(root, "definitions", ctx)
    mappings: dict[str, dict[str, Any]] = {key: {} for key, _ in ROOT_READERS.values()}
    collaborations: list[Collaboration] = []
    others: list[BaseElement] = []
    for local, child in kids.order:
        if local == "documentation":
            continue
        if local in ROOT_READERS:
            key, reader = ROOT_READERS[local]
            element = reader(child, ctx)
            mappings[key][element.id] = element
        elif local in ("collaboration", "globalConversation"):
            collaborations.append(read_collaboration(child, ctx))
        elif local in EVENT_DEFINITION_READERS:
            others.append(read_event_definition(child, local, ctx))
        else:
            _check_root_tag(child, local, ctx)
            if local == "extension":
                ref(child, "definition", ctx)
            others.append(read_generic(child, local, ctx))
        kids.groups.pop(local, None)
    return Definitions(
        target_namespace=root.get("targetNamespace"),
        exporter=root.get("exporter"),
        exporter_version=root.get("exporterVersion"),
        processes=frozen_mapping(mappings["processes"]),
        collaborations=tuple(collaborations),
        messages=frozen_mapping(mappings["messages"]),
        signals=frozen_mapping(mappings["signals"]),
        errors=frozen_mapping(mappings["errors"]),
        escalations=frozen_mapping(mappings["escalations"]),
        other_root_elements=tuple(others),
        diagrams=_diagrams(root),
        **base_kwargs(root, kids, ctx),
    )


def _check_root_tag(child: etree._Element, local: str, ctx: ReadContext) -> None:
    from bpmn_engine.bpmn.vocabulary import KNOWN_BPMN_ELEMENTS

    if local in KNOWN_BPMN_ELEMENTS and local not in ROOT_ELEMENT_TAGS:
        ctx.issues.append(
            error(
                "misplaced-element",
                f"Expected <{local}> inside another element, but it sits directly under "
                "<definitions>",
                child.get("id"),
                child.sourceline,
            )
        )


def _diagrams(root: etree._Element) -> tuple[Diagram, ...]:
    return tuple(read_diagram(child) for child in root.iterchildren(_DIAGRAM))


def is_definitions(root: etree._Element) -> bool:
    return root.tag == BPMN_PREFIX + "definitions"
