"""Walk the parsed model: every element object, depth first, in reading order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bpmn_engine.bpmn.model import (
    BaseElement,
    Collaboration,
    Definitions,
    Event,
    FlowElementsContainer,
    FlowNode,
    GenericElement,
    Lane,
    Process,
    SubProcess,
)


def iter_model_elements(definitions: Definitions) -> Iterator[Any]:
    """Every model object that stands for one BPMN element (each has a ``tag``).

    Diagram interchange objects are not included (they are not BPMN model elements).
    """
    yield from _element(definitions)
    for process in definitions.processes.values():
        yield from _element(process)
    for collaboration in definitions.collaborations:
        yield from _element(collaboration)
    for mapping in (
        definitions.messages,
        definitions.signals,
        definitions.errors,
        definitions.escalations,
    ):
        for element in mapping.values():
            yield from _element(element)
    for other in definitions.other_root_elements:
        yield from _element(other)


def _element(element: BaseElement) -> Iterator[Any]:
    yield element
    for extra in element.extra_elements:
        yield from _element(extra)
    if isinstance(element, GenericElement):
        for child in element.children:
            yield from _element(child)
    if isinstance(element, Process):
        for lane in element.lanes:
            yield from _lane(lane)
    if isinstance(element, FlowElementsContainer):
        yield from _container(element)
    if isinstance(element, Collaboration):
        for part in (*element.participants, *element.message_flows, *element.artifacts):
            yield from _element(part)


def _lane(lane: Lane) -> Iterator[Any]:
    yield from _element(lane)
    for child in lane.child_lanes:
        yield from _lane(child)


def _container(container: FlowElementsContainer) -> Iterator[Any]:
    for node in container.nodes.values():
        yield from _flow_node(node)
    for flow in container.flows.values():
        yield from _element(flow)
    for data_object in container.data_objects.values():
        yield from _element(data_object)
    for artifact in container.artifacts:
        yield from _element(artifact)


def _flow_node(node: FlowNode) -> Iterator[Any]:
    if isinstance(node, SubProcess):
        yield from _element(node)  # includes its container content
    else:
        yield from _element(node)
    if isinstance(node, Event):
        for definition in node.event_definitions:
            yield from _element(definition)
    loop = getattr(node, "loop", None)
    if loop is not None:
        yield loop
