"""BPMN diagram interchange: shapes and edges, kept for rendering."""

from __future__ import annotations

import math

from lxml import etree

from bpmn_engine.bpmn.model import Bounds, Diagram, DiagramEdge, DiagramShape
from bpmn_engine.bpmn.xml_reader import BPMNDI_NS, DC_NS, DI_NS

_SHAPE = "{" + BPMNDI_NS + "}BPMNShape"
_EDGE = "{" + BPMNDI_NS + "}BPMNEdge"
_PLANE = "{" + BPMNDI_NS + "}BPMNPlane"
_LABEL = "{" + BPMNDI_NS + "}BPMNLabel"
_BOUNDS = "{" + DC_NS + "}Bounds"
_WAYPOINT = "{" + DI_NS + "}waypoint"


def _number(element: etree._Element, name: str) -> float | None:
    try:
        value = float(element.get(name) or "")
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _bounds(element: etree._Element | None) -> Bounds | None:
    if element is None:
        return None
    values = [_number(element, key) for key in ("x", "y", "width", "height")]
    if any(v is None for v in values):
        return None
    x, y, width, height = values
    return Bounds(x=x or 0.0, y=y or 0.0, width=width or 0.0, height=height or 0.0)


def _label_bounds(element: etree._Element) -> Bounds | None:
    label = element.find(_LABEL)
    return _bounds(label.find(_BOUNDS)) if label is not None else None


def _optional_bool(element: etree._Element, name: str) -> bool | None:
    value = element.get(name)
    return None if value is None else value.strip().lower() == "true"


def read_shape(element: etree._Element) -> DiagramShape:
    return DiagramShape(
        id=element.get("id") or "",
        element_id=element.get("bpmnElement"),
        bounds=_bounds(element.find(_BOUNDS)),
        is_expanded=_optional_bool(element, "isExpanded"),
        is_horizontal=_optional_bool(element, "isHorizontal"),
        label_bounds=_label_bounds(element),
    )


def read_edge(element: etree._Element) -> DiagramEdge:
    points = []
    for point in element.iterchildren(_WAYPOINT):
        x, y = _number(point, "x"), _number(point, "y")
        if x is not None and y is not None:
            points.append((x, y))
    return DiagramEdge(
        id=element.get("id") or "",
        element_id=element.get("bpmnElement"),
        waypoints=tuple(points),
        label_bounds=_label_bounds(element),
    )


def read_diagram(element: etree._Element) -> Diagram:
    """One ``bpmndi:BPMNDiagram`` with its plane's shapes and edges."""
    plane = element.find(_PLANE)
    shapes: list[DiagramShape] = []
    edges: list[DiagramEdge] = []
    if plane is not None:
        for child in plane:
            if child.tag == _SHAPE:
                shapes.append(read_shape(child))
            elif child.tag == _EDGE:
                edges.append(read_edge(child))
    return Diagram(
        id=element.get("id") or "",
        name=element.get("name"),
        plane_element_id=plane.get("bpmnElement") if plane is not None else None,
        shapes=tuple(shapes),
        edges=tuple(edges),
    )
