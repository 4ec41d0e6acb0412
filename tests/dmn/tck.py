"""Reading the DMN TCK: test files, their input and expected values, and the models."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from bpmn_engine.dmn.engine import DecisionModel
from bpmn_engine.dmn.reader import parse_dmn
from bpmn_engine.expressions.feel.temporal import (
    parse_date,
    parse_datetime,
    parse_duration,
    parse_time,
)
from tests.shared_data import SHARED_DIR

TCK_DIR = SHARED_DIR / "dmn-tck" / "TestCases"
LEVELS = ("compliance-level-2", "compliance-level-3")
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


@dataclass(frozen=True)
class ResultNode:
    name: str
    expected: Any
    error: bool


@dataclass(frozen=True)
class TckCase:
    level: str
    folder: str
    model: str
    case_id: str
    kind: str
    invocable: str | None
    inputs: tuple[tuple[str, Any], ...]
    results: tuple[ResultNode, ...]
    scoped_inputs: tuple[tuple[str, str, Any], ...] = ()
    """Input nodes given with the namespace of an imported model: (namespace, name, value)."""

    @property
    def key(self) -> str:
        return f"{self.folder}:{self.case_id}"


def _local(el: etree._Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


@dataclass(frozen=True)
class Unrepresentable:
    """A TCK value the engine's parsers refuse (kept as its text, so it matches nothing)."""

    text: str


def _scalar(el: etree._Element) -> Any:
    try:
        return _typed(el)
    except ValueError:
        return Unrepresentable(el.text or "")


def _typed(el: etree._Element) -> Any:
    if el.get(_XSI_NIL) == "true":
        return None
    text = el.text or ""
    kind = (el.get(_XSI_TYPE) or "").split(":")[-1]
    if kind in ("decimal", "double", "integer", "int", "long", "float"):
        return Decimal(text.strip()) if text.strip() not in ("NaN", "INF", "-INF") else None
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return parse_date(text.strip())
    if kind == "dateTime":
        return parse_datetime(text.strip())
    if kind == "time":
        return parse_time(text.strip())
    if kind == "duration":
        return parse_duration(text.strip())
    return text


def node_value(el: etree._Element) -> Any:
    """The value held by an inputNode, resultNode/expected, component or item."""
    parts = [c for c in el if isinstance(c.tag, str)]
    components = [c for c in parts if _local(c) == "component"]
    if components:
        return {c.get("name"): node_value(c) for c in components}
    for c in parts:
        kind = _local(c)
        if kind == "value":
            return _scalar(c)
        if kind == "list":
            return [node_value(item) for item in c if _local(item) == "item"]
        if kind == "expected":
            return node_value(c)
    return None


def read_cases(path: Path, level: str) -> list[TckCase]:
    root = etree.parse(str(path)).getroot()
    model = next((c.text or "" for c in root if _local(c) == "modelName"), "")
    cases = []
    for case in root:
        if _local(case) != "testCase":
            continue
        nodes = [c for c in case if _local(c) == "inputNode"]
        inputs = tuple(
            (c.get("name") or "", node_value(c)) for c in nodes if not c.get("namespace")
        )
        scoped = tuple(
            (c.get("namespace") or "", c.get("name") or "", node_value(c))
            for c in nodes
            if c.get("namespace")
        )
        results = tuple(
            ResultNode(c.get("name") or "", node_value(c), c.get("errorResult") == "true")
            for c in case
            if _local(c) == "resultNode"
        )
        cases.append(
            TckCase(
                level=level,
                folder=path.parent.name,
                model=model.strip(),
                case_id=f"{path.stem}:{case.get('id')}",
                kind=case.get("type") or "decision",
                invocable=case.get("invocableName"),
                inputs=inputs,
                results=results,
                scoped_inputs=scoped,
            )
        )
    return cases


NON_COMPLIANT = "non-compliant"


def non_compliant_cases() -> list[TckCase]:
    """The kit's ``non-compliant`` folder: tests whose models or expectations go beyond
    the DMN specification (see docs/dmn.md)."""
    cases: list[TckCase] = []
    for test_file in sorted((TCK_DIR / NON_COMPLIANT).glob("*/*-test-*.xml")):
        cases.extend(read_cases(test_file, NON_COMPLIANT))
    return cases


def all_cases() -> list[TckCase]:
    cases: list[TckCase] = []
    for level in LEVELS:
        for test_file in sorted((TCK_DIR / level).glob("*/*-test-*.xml")):
            cases.extend(read_cases(test_file, level))
    return cases


@cache
def load_model(level: str, folder: str, model: str) -> DecisionModel:
    directory = TCK_DIR / level / folder
    main = parse_dmn(directory / model)
    others = {}
    for path in directory.glob("*.dmn"):
        if path.name != model:
            other = parse_dmn(path)
            others[other.namespace] = other
    return DecisionModel(main, others)
