"""A small fluent builder of model objects for runtime tests (no XML needed).

    b = ProcessBuilder("p")
    b.start("s").user_task("review").end("e").chain("s", "review", "e")
    process = b.build()

Nodes are added to the builder's container; ``subprocess(id)`` returns a builder for the
subprocess's children. ``build`` fills ``incoming``/``outgoing``/``parent_id``,
``boundary_event_ids`` and ``all_nodes``/``all_flows`` like the parser does.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from bpmn_engine.bpmn import model as m


class ProcessBuilder:
    def __init__(
        self,
        process_id: str = "p",
        *,
        _root: ProcessBuilder | None = None,
        _container: str | None = None,
    ) -> None:
        self.root = _root or self
        self.container = _container or process_id
        if _root is None:
            self.process_id = process_id
            self.specs: dict[str, tuple[type, dict[str, Any], str]] = {}
            self.flow_specs: dict[str, tuple[str, str, str | None]] = {}
            self.messages: dict[str, m.Message] = {}
            self.errors: dict[str, m.Error] = {}
            self.signals: dict[str, m.Signal] = {}
            self.escalations: dict[str, m.Escalation] = {}
            self.associations: dict[str, list[tuple[str, str]]] = {}
            self.counter = 0

    # ------------------------------------------------------------------ nodes

    def node(self, cls: type, node_id: str, **kwargs: Any) -> ProcessBuilder:
        self.root.specs[node_id] = (cls, kwargs, self.container)
        return self

    def start(
        self, node_id: str = "start", *definitions: m.EventDefinition, **kw: Any
    ) -> ProcessBuilder:
        return self.node(m.StartEvent, node_id, event_definitions=definitions, **kw)

    def end(
        self, node_id: str = "end", *definitions: m.EventDefinition, **kw: Any
    ) -> ProcessBuilder:
        return self.node(m.EndEvent, node_id, event_definitions=definitions, **kw)

    def task(self, node_id: str, **kw: Any) -> ProcessBuilder:
        return self.node(m.Task, node_id, **kw)

    def user_task(self, node_id: str, **assignment: Any) -> ProcessBuilder:
        extra = {k: assignment.pop(k) for k in ("io_mapping", "loop") if k in assignment}
        return self.node(
            m.UserTask, node_id, assignment=m.UserTaskAssignment(**assignment), **extra
        )

    def service_task(self, node_id: str, job_type: str = "work", **kw: Any) -> ProcessBuilder:
        return self.node(m.ServiceTask, node_id, job=m.JobDefinition(type=job_type), **kw)

    def script_task(self, node_id: str, script: str, **kw: Any) -> ProcessBuilder:
        return self.node(m.ScriptTask, node_id, script=script, **kw)

    def receive_task(self, node_id: str, message_ref: str, **kw: Any) -> ProcessBuilder:
        return self.node(m.ReceiveTask, node_id, message_ref=message_ref, **kw)

    def xor(self, node_id: str, default: str | None = None) -> ProcessBuilder:
        return self.node(m.ExclusiveGateway, node_id, default=default)

    def parallel(self, node_id: str) -> ProcessBuilder:
        return self.node(m.ParallelGateway, node_id)

    def inclusive(self, node_id: str, default: str | None = None) -> ProcessBuilder:
        return self.node(m.InclusiveGateway, node_id, default=default)

    def event_gateway(self, node_id: str) -> ProcessBuilder:
        return self.node(m.EventBasedGateway, node_id)

    def catch(self, node_id: str, definition: m.EventDefinition) -> ProcessBuilder:
        return self.node(m.IntermediateCatchEvent, node_id, event_definitions=(definition,))

    def throw(self, node_id: str, *definitions: m.EventDefinition) -> ProcessBuilder:
        return self.node(m.IntermediateThrowEvent, node_id, event_definitions=definitions)

    def boundary(
        self,
        node_id: str,
        attached_to: str,
        definition: m.EventDefinition,
        cancel_activity: bool = True,
    ) -> ProcessBuilder:
        container = self.root.specs[attached_to][2]
        self.root.specs[node_id] = (
            m.BoundaryEvent,
            {
                "attached_to_ref": attached_to,
                "cancel_activity": cancel_activity,
                "event_definitions": (definition,),
            },
            container,
        )
        return self

    def compensation(
        self, activity: str, handler: str, job_type: str | None = None, boundary: str | None = None
    ) -> ProcessBuilder:
        """A compensation boundary on ``activity`` associated with a service-task handler."""
        boundary = boundary or f"{activity}_compensation"
        self.boundary(boundary, activity, m.CompensateEventDefinition())
        container = self.root.specs[activity][2]
        self.root.specs[handler] = (
            m.ServiceTask,
            {"job": m.JobDefinition(type=job_type or handler), "is_for_compensation": True},
            container,
        )
        self.root.associations.setdefault(container, []).append((boundary, handler))
        return self

    def subprocess(self, node_id: str, cls: type = m.SubProcess, **kw: Any) -> ProcessBuilder:
        self.node(cls, node_id, **kw)
        return ProcessBuilder(_root=self.root, _container=node_id)

    def call_activity(self, node_id: str, called_element: str, **kw: Any) -> ProcessBuilder:
        return self.node(m.CallActivity, node_id, called_element=called_element, **kw)

    # ------------------------------------------------------------------ flows

    def flow(
        self, source: str, target: str, condition: str | None = None, flow_id: str | None = None
    ) -> ProcessBuilder:
        root = self.root
        if flow_id is None:
            root.counter += 1
            flow_id = f"f{root.counter}_{source}_{target}"
        root.flow_specs[flow_id] = (source, target, condition)
        return self

    def chain(self, *node_ids: str) -> ProcessBuilder:
        for source, target in itertools.pairwise(node_ids):
            self.flow(source, target)
        return self

    # ------------------------------------------------------------------ root elements

    def message(
        self, ref: str, name: str | None = None, correlation_key: str | None = None
    ) -> ProcessBuilder:
        self.root.messages[ref] = m.Message(
            id=ref, name=name or ref, correlation_key=correlation_key
        )
        return self

    def error(self, ref: str, code: str | None) -> ProcessBuilder:
        self.root.errors[ref] = m.Error(id=ref, error_code=code)
        return self

    def escalation(self, ref: str, code: str | None) -> ProcessBuilder:
        self.root.escalations[ref] = m.Escalation(id=ref, escalation_code=code)
        return self

    def signal(self, ref: str, name: str | None = None) -> ProcessBuilder:
        self.root.signals[ref] = m.Signal(id=ref, name=name or ref)
        return self

    # ------------------------------------------------------------------ build

    def build(self) -> m.Process:
        root = self.root
        self._incoming: dict[str, list[str]] = {}
        self._outgoing: dict[str, list[str]] = {}
        for flow_id, (source, target, _) in root.flow_specs.items():
            self._outgoing.setdefault(source, []).append(flow_id)
            self._incoming.setdefault(target, []).append(flow_id)
        self._boundaries: dict[str, list[str]] = {}
        for node_id, (cls, kw, _) in root.specs.items():
            if cls is m.BoundaryEvent:
                self._boundaries.setdefault(kw["attached_to_ref"], []).append(node_id)
        self._all_nodes: dict[str, m.FlowNode] = {}
        self._all_flows: dict[str, m.SequenceFlow] = {}
        nodes, flows = self._container(root.process_id)
        return m.Process(
            id=root.process_id,
            is_executable=True,
            nodes=m.frozen_mapping(nodes),
            flows=m.frozen_mapping(flows),
            artifacts=self._artifacts(root.process_id),
            all_nodes=m.frozen_mapping(self._all_nodes),
            all_flows=m.frozen_mapping(self._all_flows),
        )

    def _container(self, cid: str) -> tuple[dict, dict]:
        """The direct children (nodes, flows) of a container, subprocesses built first."""
        root = self.root
        nodes: dict[str, m.FlowNode] = {}
        for node_id, (cls, kw, parent) in root.specs.items():
            if parent != cid:
                continue
            extra: dict[str, Any] = {}
            if issubclass(cls, m.SubProcess):
                inner_nodes, inner_flows = self._container(node_id)
                extra = {
                    "nodes": m.frozen_mapping(inner_nodes),
                    "flows": m.frozen_mapping(inner_flows),
                    "artifacts": self._artifacts(node_id),
                }
            if issubclass(cls, m.Activity):
                extra["boundary_event_ids"] = tuple(self._boundaries.get(node_id, ()))
            node = cls(
                id=node_id,
                incoming=tuple(self._incoming.get(node_id, ())),
                outgoing=tuple(self._outgoing.get(node_id, ())),
                parent_id=cid,
                **kw,
                **extra,
            )
            nodes[node_id] = self._all_nodes[node_id] = node
        flows: dict[str, m.SequenceFlow] = {}
        for flow_id, (source, target, condition) in root.flow_specs.items():
            if root.specs[source][2] == cid:
                flows[flow_id] = self._all_flows[flow_id] = m.SequenceFlow(
                    id=flow_id,
                    source_ref=source,
                    target_ref=target,
                    condition=condition,
                    parent_id=cid,
                )
        return nodes, flows

    def _artifacts(self, cid: str) -> tuple[m.GenericElement, ...]:
        return tuple(
            m.GenericElement(
                tag="association",
                id=f"a_{source}_{target}",
                attributes=m.frozen_mapping({"sourceRef": source, "targetRef": target}),
            )
            for source, target in self.root.associations.get(cid, ())
        )

    def definitions(self) -> m.Definitions:
        root = self.root
        process = self.build()
        return m.Definitions(
            id="defs",
            processes=m.frozen_mapping({process.id: process}),
            messages=m.frozen_mapping(root.messages),
            errors=m.frozen_mapping(root.errors),
            signals=m.frozen_mapping(root.signals),
            escalations=m.frozen_mapping(root.escalations),
        )


def timer(kind: str, text: str) -> m.TimerEventDefinition:
    return m.TimerEventDefinition(kind=m.TimerKind(kind), expression=text)


def message(ref: str) -> m.MessageEventDefinition:
    return m.MessageEventDefinition(message_ref=ref)


def signal(ref: str) -> m.SignalEventDefinition:
    return m.SignalEventDefinition(signal_ref=ref)


def error(ref: str | None = None, **kw: Any) -> m.ErrorEventDefinition:
    return m.ErrorEventDefinition(error_ref=ref, **kw)


def terminate() -> m.TerminateEventDefinition:
    return m.TerminateEventDefinition()


def link(name: str) -> m.LinkEventDefinition:
    return m.LinkEventDefinition(link_name=name)


def escalation(ref: str | None = None, **kw: Any) -> m.EscalationEventDefinition:
    return m.EscalationEventDefinition(escalation_ref=ref, **kw)


def compensate(
    activity_ref: str | None = None, *, wait_for_completion: bool = True
) -> m.CompensateEventDefinition:
    return m.CompensateEventDefinition(
        activity_ref=activity_ref, wait_for_completion=wait_for_completion
    )


def cancel() -> m.CancelEventDefinition:
    return m.CancelEventDefinition()


def multi(**kw: Any) -> m.MultiInstanceLoopCharacteristics:
    return m.MultiInstanceLoopCharacteristics(**kw)


__all__ = [
    "ProcessBuilder",
    "cancel",
    "compensate",
    "error",
    "escalation",
    "link",
    "message",
    "multi",
    "replace",
    "signal",
    "terminate",
    "timer",
]
