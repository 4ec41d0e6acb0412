"""Per-process lookup tables, computed once per ``Process`` object and cached.

Everything the hot path needs by node id: its behaviour, its outgoing flows (and a fast
path for the single unconditional flow), attached boundary events, first event definition,
link targets, completion hooks, and lazily the set of nodes that can reach each inclusive
gateway; per container its event subprocesses; compensation handlers per activity;
whether any conditional event listens inside an instance (``conditional``: only then does
the run dispatch variable changes to conditions).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from bpmn_engine.bpmn.model import (
    Activity,
    BoundaryEvent,
    CompensateEventDefinition,
    ConditionalEventDefinition,
    Definitions,
    Event,
    EventDefinition,
    FlowNode,
    InclusiveGateway,
    IntermediateCatchEvent,
    LinkEventDefinition,
    Process,
    SequenceFlow,
    StartEvent,
    SubProcess,
)
from bpmn_engine.runtime import event_names
from bpmn_engine.runtime.behaviours import behaviour_for, completion_hooks
from bpmn_engine.runtime.behaviours.conditions import dispatch_conditions
from bpmn_engine.runtime.behaviours.event_subprocesses import LISTENED
from bpmn_engine.runtime.behaviours.gateways import fire_pending_inclusive
from bpmn_engine.runtime.variables import compile_expression, compile_script

_CACHE: weakref.WeakKeyDictionary[Process, ProcessTables] = weakref.WeakKeyDictionary()


class ProcessTables:
    """Precomputed lookups for one process (and the root elements of its definitions),
    and the behaviours' entry points the run loop calls (so ``run`` imports no behaviour)."""

    fire_pending_inclusive = staticmethod(fire_pending_inclusive)
    dispatch_conditions = staticmethod(dispatch_conditions)

    def __init__(self, process: Process, definitions: Definitions | None) -> None:
        self.process = process
        self.definitions = definitions
        self.nodes: Mapping[str, FlowNode] = process.all_nodes
        self.flows: Mapping[str, SequenceFlow] = process.all_flows
        self.behaviour: dict[str, Any] = {}
        self.outgoing: dict[str, tuple[SequenceFlow, ...]] = {}
        self.fast_next: dict[str, tuple[str, str]] = {}
        self.boundaries: dict[str, tuple[BoundaryEvent, ...]] = {}
        self.event_definition: dict[str, EventDefinition | None] = {}
        self.links: dict[tuple[str, str], str] = {}
        self.inclusive_ids: frozenset[str] = frozenset(
            n.id for n in self.nodes.values() if isinstance(n, InclusiveGateway)
        )
        self.looped: frozenset[str] = frozenset(
            n.id for n in self.nodes.values() if isinstance(n, Activity) and n.loop is not None
        )
        self._reaching: dict[str, frozenset[str]] = {}
        self._compiled: dict[str, Any] = {}
        self._scripts: dict[str, Any] = {}
        self._starts: dict[str, StartEvent | None] = {}
        # container id -> its event subprocesses (start event, its definition)
        self.event_starts: dict[str, tuple[tuple[SubProcess, StartEvent, Any], ...]] = {}
        # container id -> event subprocesses whose start subscribes when the scope starts
        self.event_subprocesses: dict[str, tuple[SubProcess, ...]] = {}
        self.compensation_handlers: dict[str, str] = {}  # activity -> handler activity
        self.compensation_esps: dict[str, str] = {}  # subprocess -> its compensation esp
        for node in self.nodes.values():
            self.behaviour[node.id] = behaviour_for(node)
            self._index_node(node)
        self._index_event_subprocesses()
        self._index_compensation()
        self.listening = bool(self.event_subprocesses)
        self.conditional = any(
            isinstance(d, ConditionalEventDefinition) and not self._starts_instances(n)
            for n, d in self.event_definition.items()
        )
        self.on_complete: dict[str, tuple[Any, ...]] = completion_hooks(self)

    def _index_node(self, node: FlowNode) -> None:
        flows = tuple(self.flows[f] for f in node.outgoing if f in self.flows)
        self.outgoing[node.id] = flows
        if len(flows) == 1 and flows[0].condition is None:
            self.fast_next[node.id] = (flows[0].id, flows[0].target_ref)
        if isinstance(node, Activity):
            self.boundaries[node.id] = tuple(
                b
                for b in (self.nodes.get(i) for i in node.boundary_event_ids)
                if isinstance(b, BoundaryEvent)
            )
        if isinstance(node, Event):
            definition = node.event_definitions[0] if node.event_definitions else None
            self.event_definition[node.id] = definition
            if isinstance(node, IntermediateCatchEvent) and isinstance(
                definition, LinkEventDefinition
            ):
                self.links[(node.parent_id, definition.link_name or node.name or "")] = node.id

    def _starts_instances(self, node_id: str) -> bool:
        """A start event of the process itself (its triggers create new instances)."""
        node = self.nodes[node_id]
        return isinstance(node, StartEvent) and node.parent_id == self.process.id

    def _index_event_subprocesses(self) -> None:
        starts: dict[str, list[tuple[SubProcess, StartEvent, Any]]] = {}
        for node in self.nodes.values():
            if isinstance(node, SubProcess) and node.triggered_by_event:
                for start in node.start_events():
                    definition = self.event_definition.get(start.id)
                    starts.setdefault(node.parent_id, []).append((node, start, definition))
        self.event_starts = {k: tuple(v) for k, v in starts.items()}
        self.esp_ids = frozenset(esp.id for v in starts.values() for esp, _, _ in v)
        for container, entries in self.event_starts.items():
            listened = tuple(esp for esp, _, d in entries if isinstance(d, LISTENED))
            if listened:
                self.event_subprocesses[container] = listened
            for esp, _, d in entries:
                if isinstance(d, CompensateEventDefinition):
                    self.compensation_esps[container] = esp.id

    def _index_compensation(self) -> None:
        """Compensation boundary -> handler by association (either direction)."""
        linked: dict[str, set[str]] = {}
        containers: list[Process | SubProcess] = [
            self.process,
            *(n for n in self.nodes.values() if isinstance(n, SubProcess)),
        ]
        for container in containers:
            for artifact in container.artifacts:
                attributes = getattr(artifact, "attributes", {})
                source, target = attributes.get("sourceRef"), attributes.get("targetRef")
                if artifact.tag == "association" and source and target:
                    linked.setdefault(source, set()).add(target)
                    linked.setdefault(target, set()).add(source)
        for node in self.nodes.values():
            definition = self.event_definition.get(node.id)
            if isinstance(node, BoundaryEvent) and isinstance(
                definition, CompensateEventDefinition
            ):
                for other in sorted(linked.get(node.id, ())):
                    handler = self.nodes.get(other)
                    if isinstance(handler, Activity) and handler.is_for_compensation:
                        self.compensation_handlers[node.attached_to_ref] = handler.id

    def compensable(self) -> frozenset[str]:
        """Activities whose completion is logged for compensation: those with a handler and
        the subprocesses around them (their log nests the inner completions)."""
        found: set[str] = set()
        for node_id in (*self.compensation_handlers, *self.compensation_esps):
            while node_id in self.nodes and node_id not in found:
                found.add(node_id)
                node_id = self.nodes[node_id].parent_id
        return frozenset(found)

    # ------------------------------------------------------------------ compiled text

    def expression(self, text: str) -> Any:
        compiled = self._compiled.get(text)
        if compiled is None:
            compiled = self._compiled[text] = compile_expression(text)
        return compiled

    def script(self, text: str) -> Any:
        compiled = self._scripts.get(text)
        if compiled is None:
            compiled = self._scripts[text] = compile_script(text)
        return compiled

    # ------------------------------------------------------------------ structure

    def none_start_event(self, container_id: str) -> StartEvent | None:
        """The start event a container starts at: the none start event, else the only one."""
        if container_id in self._starts:
            return self._starts[container_id]
        starts = self.process.container(container_id).start_events()
        plain = [s for s in starts if not s.event_definitions]
        found = plain[0] if plain else (starts[0] if len(starts) == 1 else None)
        self._starts[container_id] = found
        return found

    def reaching(self, gateway_id: str) -> frozenset[str]:
        """Nodes from which ``gateway_id`` can be reached inside its container (boundary
        events count as successors of their activity)."""
        found = self._reaching.get(gateway_id)
        if found is None:
            found = self._reaching[gateway_id] = self._reverse_closure(gateway_id)
        return found

    def _reverse_closure(self, gateway_id: str) -> frozenset[str]:
        seen: set[str] = set()
        todo = [gateway_id]
        while todo:
            node = self.nodes[todo.pop()]
            preds = [self.flows[f].source_ref for f in node.incoming if f in self.flows]
            if isinstance(node, BoundaryEvent):
                preds.append(node.attached_to_ref)
            for pred in preds:
                if pred not in seen:
                    seen.add(pred)
                    todo.append(pred)
        return frozenset(seen)

    # ------------------------------------------------------------------ root elements

    def message_name(self, ref: str | None) -> str:
        return event_names.message_name(self.definitions, ref)

    def message_correlation_key(self, ref: str | None) -> str | None:
        return event_names.message_correlation_key(self.definitions, ref)

    def signal_name(self, ref: str | None) -> str:
        return event_names.signal_name(self.definitions, ref)

    def escalation_code(self, ref: str | None) -> str | None:
        """The code of an escalation reference; None (no reference) catches every code."""
        if ref is None:
            return None
        escalation = self.definitions.escalations.get(ref) if self.definitions else None
        return (escalation.escalation_code or ref) if escalation else ref

    def error(self, ref: str | None) -> tuple[str | None, str | None]:
        """(error code, message) of an error reference; code None catches every error."""
        if ref is None:
            return None, None
        error = self.definitions.errors.get(ref) if self.definitions else None
        if error is None:
            return ref, None
        return error.error_code, error.error_message


def tables_for(process: Process, definitions: Definitions | None = None) -> ProcessTables:
    """The cached tables of ``process`` (rebuilt if new ``definitions`` are supplied)."""
    tables = _CACHE.get(process)
    if tables is None or (definitions is not None and tables.definitions is not definitions):
        tables = _CACHE[process] = ProcessTables(process, definitions)
    return tables
