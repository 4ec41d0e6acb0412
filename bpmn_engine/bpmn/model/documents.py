"""Processes, collaborations, diagram interchange and the whole document."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bpmn_engine.bpmn.model.activities import FlowElementsContainer, SubProcess
from bpmn_engine.bpmn.model.base import (
    BaseElement,
    Error,
    Escalation,
    Lane,
    Message,
    Signal,
    empty_mapping,
)
from bpmn_engine.bpmn.model.flow import FlowNode, SequenceFlow


@dataclass(frozen=True, kw_only=True, eq=False)
class Process(BaseElement, FlowElementsContainer):
    """An executable (or descriptive) process.

    ``all_nodes``/``all_flows``: every node/flow at any depth, by id (for the runtime).
    ``is_executable`` None means the attribute was absent (Camunda deploys those anyway).
    """

    tag: str = "process"
    is_executable: bool | None = None
    all_nodes: Mapping[str, FlowNode] = empty_mapping()
    all_flows: Mapping[str, SequenceFlow] = empty_mapping()
    lanes: tuple[Lane, ...] = ()
    candidate_starter_groups: tuple[str, ...] = ()
    candidate_starter_users: tuple[str, ...] = ()
    version_tag: str | None = None
    history_time_to_live: str | None = None
    #: ``zeebe:userTaskForm`` form-js JSON by id (``formKey="camunda-forms:bpmn:<id>"``)
    user_task_forms: Mapping[str, str] = empty_mapping()

    def node(self, node_id: str) -> FlowNode:
        return self.all_nodes[node_id]

    def container(self, container_id: str) -> FlowElementsContainer:
        """The process itself or the subprocess with this id."""
        if container_id == self.id:
            return self
        found = self.all_nodes[container_id]
        assert isinstance(found, SubProcess)
        return found


@dataclass(frozen=True, kw_only=True, eq=False)
class Participant(BaseElement):
    tag: str = "participant"
    process_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class MessageFlow(BaseElement):
    tag: str = "messageFlow"
    source_ref: str
    target_ref: str
    message_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class Collaboration(BaseElement):
    tag: str = "collaboration"
    participants: tuple[Participant, ...] = ()
    message_flows: tuple[MessageFlow, ...] = ()
    artifacts: tuple[BaseElement, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class Bounds:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, kw_only=True, eq=False)
class DiagramShape:
    id: str
    element_id: str | None
    bounds: Bounds | None = None
    is_expanded: bool | None = None
    is_horizontal: bool | None = None
    label_bounds: Bounds | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class DiagramEdge:
    id: str
    element_id: str | None
    waypoints: tuple[tuple[float, float], ...] = ()
    label_bounds: Bounds | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class Diagram:
    id: str
    name: str | None = None
    plane_element_id: str | None = None
    shapes: tuple[DiagramShape, ...] = ()
    edges: tuple[DiagramEdge, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class Definitions(BaseElement):
    """The whole parsed document."""

    tag: str = "definitions"
    target_namespace: str | None = None
    exporter: str | None = None
    exporter_version: str | None = None
    processes: Mapping[str, Process] = empty_mapping()
    collaborations: tuple[Collaboration, ...] = ()
    messages: Mapping[str, Message] = empty_mapping()
    signals: Mapping[str, Signal] = empty_mapping()
    errors: Mapping[str, Error] = empty_mapping()
    escalations: Mapping[str, Escalation] = empty_mapping()
    other_root_elements: tuple[BaseElement, ...] = ()
    diagrams: tuple[Diagram, ...] = ()

    def process(self, process_id: str) -> Process:
        return self.processes[process_id]

    def executable_processes(self) -> tuple[Process, ...]:
        """Processes an engine should deploy: executable, or with the attribute absent."""
        return tuple(p for p in self.processes.values() if p.is_executable is not False)


def iter_flow_nodes(container: FlowElementsContainer) -> Iterator[FlowNode]:
    """Every flow node below ``container``, depth first, in document order."""
    for node in container.nodes.values():
        yield node
        if isinstance(node, SubProcess):
            yield from iter_flow_nodes(node)
