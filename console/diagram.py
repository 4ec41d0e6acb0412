"""What a rendered diagram needs: the deployed XML and the ids of elements and flows."""

from __future__ import annotations

from dataclasses import dataclass

from bpmn_engine.models import ProcessDefinition
from bpmn_engine.persistence.definitions_cache import process_for

NOT_STARTABLE = frozenset({"boundaryEvent"})


@dataclass(frozen=True)
class DiagramModel:
    xml: str
    flows: dict[str, tuple[str, str]]
    nodes: list[tuple[str, str]]  # (id, label) of the nodes a token can be moved to


def diagram_model(definition: ProcessDefinition) -> DiagramModel:
    process = process_for(definition)
    flows = {f.id: (f.source_ref, f.target_ref) for f in process.all_flows.values()}
    nodes = sorted(
        (node.id, f"{node.name or node.id} ({node.tag})")
        for node in process.all_nodes.values()
        if node.tag not in NOT_STARTABLE
    )
    return DiagramModel(definition_xml(definition), flows, nodes)


def definition_xml(definition: ProcessDefinition) -> str:
    return bytes(definition.resource.content).decode("utf-8", errors="replace")
