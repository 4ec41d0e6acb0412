"""Access to the shared BPMN corpus (``shared/bpmn-corpus`` beside the repository)."""

from __future__ import annotations

import json
import os
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from tests.shared_data import CORPUS_DIR as SHARED_CORPUS_DIR

CORPUS_DIR = Path(os.environ.get("BPMN_CORPUS_DIR", SHARED_CORPUS_DIR))
BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

FLOW_NODE_TAGS = frozenset(
    [
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "task",
        "manualTask",
        "userTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "scriptTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "transaction",
        "adHocSubProcess",
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    ]
)

# BPMN elements the parser folds into a field of their parent's model object instead of
# keeping them as objects of their own; the direct XML count skips them (and their content)
# under exactly these parents. Everything else must appear in the model walk.
FOLDED: dict[str, frozenset[str]] = {
    # <incoming>/<outgoing> repeat what the sequence flows say: FlowNode.incoming/outgoing.
    "incoming": FLOW_NODE_TAGS,
    "outgoing": FLOW_NODE_TAGS,
    # Text holders read into the parent's fields.
    "conditionExpression": frozenset({"sequenceFlow"}),  # SequenceFlow.condition
    "condition": frozenset({"conditionalEventDefinition"}),  # .condition
    "timeDate": frozenset({"timerEventDefinition"}),  # TimerEventDefinition.kind/expression
    "timeDuration": frozenset({"timerEventDefinition"}),
    "timeCycle": frozenset({"timerEventDefinition"}),
    "script": frozenset({"scriptTask"}),  # ScriptTask.script
    "text": frozenset({"textAnnotation"}),  # GenericElement.text
    "flowNodeRef": frozenset({"lane"}),  # Lane.flow_node_refs
    "loopCardinality": frozenset({"multiInstanceLoopCharacteristics"}),
    "completionCondition": frozenset({"multiInstanceLoopCharacteristics", "adHocSubProcess"}),
    "loopDataInputRef": frozenset({"multiInstanceLoopCharacteristics"}),  # .collection
    "loopDataOutputRef": frozenset({"multiInstanceLoopCharacteristics"}),  # .output_collection
    "inputDataItem": frozenset({"multiInstanceLoopCharacteristics"}),  # .element_variable
    "outputDataItem": frozenset({"multiInstanceLoopCharacteristics"}),  # .output_element
    "loopCondition": frozenset({"standardLoopCharacteristics"}),
    "activationCondition": frozenset({"complexGateway"}),
    # Link pairing is by name; <source>/<target> only restate it.
    "source": frozenset({"linkEventDefinition"}),
    "target": frozenset({"linkEventDefinition"}),
}
# Lane sets only hold lanes (Process.lanes / Lane.child_lanes): the set itself is folded,
# its lanes are counted.
FOLDED_HOLDERS: dict[str, frozenset[str]] = {
    "laneSet": frozenset({"process"}),
    "childLaneSet": frozenset({"lane"}),
}
# documentation is folded into BaseElement.documentation everywhere; extensionElements into
# the neutral vendor fields (its content is vendor payload, not BPMN).
FOLDED_EVERYWHERE = frozenset({"documentation", "extensionElements"})


@cache
def manifest() -> list[dict[str, Any]]:
    return json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8"))


def bpmn_entries(expected_parse: str | None = None) -> list[dict[str, Any]]:
    return [
        e
        for e in manifest()
        if e["kind"] == "bpmn" and (expected_parse is None or e["expected_parse"] == expected_parse)
    ]


def count_bpmn_elements(path: Path) -> Counter[str]:
    """Direct count of BPMN-namespace elements outside vendor payloads, minus folded ones."""
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    counts: Counter[str] = Counter()
    stack = [(root.getroot(), "")]
    while stack:
        element, parent = stack.pop()
        tag = element.tag
        if not isinstance(tag, str) or not tag.startswith(BPMN_NS):
            continue  # foreign elements (DI, vendor) and their content are not BPMN model
        local = tag[len(BPMN_NS) :]
        if local in FOLDED_EVERYWHERE or parent in FOLDED.get(local, ()):
            continue
        if parent in FOLDED_HOLDERS.get(local, ()):
            stack.extend((child, parent) for child in element)
            continue
        counts[local] += 1
        stack.extend((child, local) for child in element)
    return counts
