"""Per-process lookup tables, computed once per ``Process`` object and cached.

Everything the hot path needs by node id: its behaviour, its outgoing flows (and a fast
path for the single unconditional flow), attached boundary events, first event definition,
link targets, and lazily the set of nodes that can reach each inclusive gateway.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from bpmn_engine.bpmn.model import (
    Activity,
    BoundaryEvent,
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
)
from bpmn_engine.runtime.variables import compile_expression, compile_script

_CACHE: weakref.WeakKeyDictionary[Process, ProcessTables] = weakref.WeakKeyDictionary()


class ProcessTables:
    """Precomputed lookups for one process (and the root elements of its definitions)."""

    def __init__(self, process: Process, definitions: Definitions | None) -> None:
        from bpmn_engine.runtime.behaviours import behaviour_for

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
        self._reaching: dict[str, frozenset[str]] = {}
        self._compiled: dict[str, Any] = {}
        self._scripts: dict[str, Any] = {}
        self._starts: dict[str, StartEvent | None] = {}
        for node in self.nodes.values():
            self.behaviour[node.id] = behaviour_for(node)
            self._index_node(node)

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
        message = self.definitions.messages.get(ref) if self.definitions and ref else None
        return (message.name or message.id) if message else (ref or "")

    def message_correlation_key(self, ref: str | None) -> str | None:
        message = self.definitions.messages.get(ref) if self.definitions and ref else None
        return message.correlation_key if message else None

    def signal_name(self, ref: str | None) -> str:
        signal = self.definitions.signals.get(ref) if self.definitions and ref else None
        return (signal.name or signal.id) if signal else (ref or "")

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
