"""Shared machinery of the element readers: the read context, child grouping, generic
elements and the keyword arguments common to every element kind."""

from __future__ import annotations

from typing import Any

from lxml import etree

from bpmn_engine.bpmn.extensions import (
    CLASSIC_NAMESPACES,
    EMPTY_EXTENSIONS,
    VendorExtensions,
    read_extension_elements,
    vendor_attr,
    vendor_flag,
)
from bpmn_engine.bpmn.issues import ValidationIssue, error, warning
from bpmn_engine.bpmn.model import GenericElement, frozen_mapping
from bpmn_engine.bpmn.vocabulary import FLOW_NODE_TAGS, KNOWN_BPMN_ELEMENTS
from bpmn_engine.bpmn.xml_reader import BPMN_PREFIX, BPMNDI_NS, ZEEBE_NS

_PREFIX_LEN = len(BPMN_PREFIX)
_DI_PREFIX = "{" + BPMNDI_NS + "}"


MODELER_PLATFORM_ATTR = "{http://camunda.org/schema/modeler/1.0}executionPlatform"


class ReadContext:
    """State of one parse: issues found while reading, ids seen, and the flow/boundary
    indexes pre-computed from the whole document."""

    def __init__(self, root: etree._Element) -> None:
        self.issues: list[ValidationIssue] = []
        self.fatal: list[ValidationIssue] = []
        self.ids: dict[str, int] = {}
        self.incoming: dict[str, list[str]] = {}
        self.outgoing: dict[str, list[str]] = {}
        self.attached: dict[str, list[str]] = {}
        declared = set((root.nsmap or {}).values())
        # a Camunda 8 document: it declares zeebe and none of the classic vendor namespaces
        self.zeebe_document = ZEEBE_NS in declared and not declared & set(CLASSIC_NAMESPACES)
        # Camunda Modeler's choice of engine ("Camunda Cloud" = Zeebe, "Camunda Platform" =
        # Camunda 7): decides which definition a task carrying both platforms' uses.
        self.execution_platform = root.get(MODELER_PLATFORM_ATTR) or ""
        self._index(root)

    def _index(self, root: etree._Element) -> None:
        for flow in root.iter(BPMN_PREFIX + "sequenceFlow"):
            flow_id = flow.get("id") or generated_flow_id(flow)
            source, target = ref_attr(flow, "sourceRef"), ref_attr(flow, "targetRef")
            if source:
                self.outgoing.setdefault(source, []).append(flow_id)
            if target:
                self.incoming.setdefault(target, []).append(flow_id)
        for event in root.iter(BPMN_PREFIX + "boundaryEvent"):
            host = ref_attr(event, "attachedToRef")
            if host:
                self.attached.setdefault(host, []).append(event.get("id") or "")

    def register_id(self, element: etree._Element, element_id: str) -> None:
        first = self.ids.get(element_id)
        line = element.sourceline or 0
        if first is None:
            self.ids[element_id] = line
            return
        self.fatal.append(
            error(
                "duplicate-id",
                f"Expected id '{element_id}' to be unique, but it is also used on line {first}",
                element_id,
                line,
            )
        )

    def foreign_child(self, child: etree._Element, parent_local: str) -> None:
        tag = child.tag
        if not isinstance(tag, str):
            return
        if parent_local == "definitions" and tag.startswith(_DI_PREFIX):
            return
        if not tag.startswith("{"):
            self.issues.append(
                error(
                    "unqualified-element",
                    f"Expected <{tag}> inside <{parent_local}> to be a BPMN element, but it "
                    "has no namespace",
                    child.get("id"),
                    child.sourceline,
                )
            )
            return
        self.issues.append(
            warning(
                "foreign-element",
                f"Expected vendor element {tag} inside <{parent_local}> to sit in "
                "extensionElements; it is ignored",
                child.get("id"),
                child.sourceline,
            )
        )


def ref_attr(element: etree._Element, name: str, ctx: ReadContext | None = None) -> str | None:
    """An id reference attribute; a QName prefix (``tns:Task_1``) is checked and dropped."""
    value = element.get(name)
    if value is None:
        return None
    value = value.strip()
    if ":" in value:
        prefix, _, local = value.partition(":")
        if ctx is not None and prefix not in (element.nsmap or {}):
            ctx.issues.append(
                error(
                    "unresolvable-qname",
                    f"Expected the prefix of {name}='{value}' to be a declared namespace, "
                    f"but '{prefix}' is not declared",
                    element.get("id"),
                    element.sourceline,
                )
            )
        return local
    return value


def element_text(element: etree._Element | None) -> str | None:
    """Stripped text content (CDATA included), None when empty."""
    if element is None:
        return None
    text = element.text if len(element) == 0 else "".join(element.itertext())
    if text is None:
        return None
    text = text.strip()
    return text or None


class Kids:
    """The BPMN children of one element grouped by local name; readers ``take`` what they
    fold into fields and ``rest`` keeps everything else as generic elements."""

    __slots__ = ("_ext", "ext_element", "groups", "local", "order")

    def __init__(self, element: etree._Element, local: str, ctx: ReadContext) -> None:
        self.local = local
        self.groups: dict[str, list[etree._Element]] = {}
        self.order: list[tuple[str, etree._Element]] = []
        self.ext_element: etree._Element | None = None
        self._ext: VendorExtensions | None = None
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if not tag.startswith(BPMN_PREFIX):
                ctx.foreign_child(child, local)
                continue
            child_local = tag[_PREFIX_LEN:]
            if child_local == "extensionElements":
                if self.ext_element is None:
                    self.ext_element = child
                continue
            child_id = child.get("id")
            if child_id:
                ctx.register_id(child, child_id)
            self.groups.setdefault(child_local, []).append(child)
            self.order.append((child_local, child))

    @property
    def ext(self) -> VendorExtensions:
        if self._ext is None:
            self._ext = read_extension_elements(self.ext_element)
        return self._ext

    def take(self, local: str) -> list[etree._Element]:
        return self.groups.pop(local, [])

    def take_one(self, local: str) -> etree._Element | None:
        group = self.groups.get(local)
        if not group:
            return None
        first = group.pop(0)
        if not group:
            del self.groups[local]
        return first

    def take_text(self, local: str) -> str | None:
        return element_text(self.take_one(local))

    def texts(self, local: str) -> tuple[str, ...]:
        return tuple(t for t in (element_text(e) for e in self.take(local)) if t)

    def rest(self, ctx: ReadContext) -> tuple[GenericElement, ...]:
        """Children nobody took, read generically, in document order."""
        if not self.groups:
            return ()
        left = {id(e) for group in self.groups.values() for e in group}
        self.groups.clear()
        return tuple(read_generic(e, local, ctx) for local, e in self.order if id(e) in left)


def read_generic(element: etree._Element, local: str, ctx: ReadContext) -> GenericElement:
    """Any BPMN element kept as tag + attributes + children; unknown tags are errors."""
    if local not in KNOWN_BPMN_ELEMENTS:
        ctx.issues.append(
            error(
                "unknown-element",
                f"Expected a BPMN 2.0 element, but <{local}> is not one (unknown BPMN element)",
                element.get("id"),
                element.sourceline,
            )
        )
    kids = Kids(element, local, ctx)
    documentation = kids.take_text("documentation")
    if local in FLOW_NODE_TAGS:  # e.g. events inside a choreography: flows say the same
        kids.take("incoming")
        kids.take("outgoing")
    if local == "textAnnotation":
        text = kids.take_text("text")
    else:
        text = (element.text or "").strip() or None
    return GenericElement(
        tag=local,
        id=element.get("id") or "",
        name=element.get("name"),
        line=element.sourceline or 0,
        documentation=documentation,
        properties=frozen_mapping(kids.ext.properties) if kids.ext_element is not None else {},
        attributes=frozen_mapping(dict(element.attrib)),
        children=kids.rest(ctx),
        text=text,
    )


def base_kwargs(element: etree._Element, kids: Kids, ctx: ReadContext) -> dict[str, Any]:
    """Fields of ``BaseElement``; call it last, after the reader took its own children."""
    ext = kids.ext
    return {
        "id": element.get("id") or "",
        "name": element.get("name"),
        "line": element.sourceline or 0,
        "documentation": kids.take_text("documentation"),
        "properties": frozen_mapping(ext.properties) if ext.properties else {},
        "extra_elements": kids.rest(ctx),
    }


def flow_node_kwargs(
    element: etree._Element, kids: Kids, ctx: ReadContext, parent_id: str
) -> dict[str, Any]:
    """Fields of ``FlowNode``: flows derived from the sequence flows, not ``<incoming>``."""
    kids.take("incoming")
    kids.take("outgoing")
    node_id = element.get("id") or ""
    if not node_id:
        ctx.issues.append(missing_id(kids.local, element))
    ext = kids.ext if kids.ext_element is not None else EMPTY_EXTENSIONS
    return {
        "incoming": tuple(ctx.incoming.get(node_id, ())),
        "outgoing": tuple(ctx.outgoing.get(node_id, ())),
        "parent_id": parent_id,
        "async_before": vendor_flag(element, "asyncBefore") or vendor_flag(element, "async"),
        "async_after": vendor_flag(element, "asyncAfter"),
        "io_mapping": ext.io_mapping(),
        "listeners": tuple(frozen_mapping(entry) for entry in ext.listeners),
        **base_kwargs(element, kids, ctx),
    }


def generated_flow_id(element: etree._Element) -> str:
    """Stand-in id for a sequence flow without one (Camunda 7 accepts those)."""
    parent = element.getparent()
    position = parent.index(element) if parent is not None else 0
    return f"sequenceFlow_line{element.sourceline or 0}_{position}"


def missing_id(local: str, element: etree._Element) -> ValidationIssue:
    return error(
        "missing-id", f"Expected <{local}> to have an id, but it has none", None, element.sourceline
    )


def bool_attr(element: etree._Element, name: str, default: bool) -> bool:
    value = element.get(name)
    if value is None:
        return default
    return value.strip().lower() == "true"


def optional_bool(element: etree._Element, name: str) -> bool | None:
    value = element.get(name)
    if value is None:
        return None
    return value.strip().lower() == "true"


__all__ = [
    "Kids",
    "ReadContext",
    "base_kwargs",
    "bool_attr",
    "element_text",
    "flow_node_kwargs",
    "generated_flow_id",
    "missing_id",
    "optional_bool",
    "read_generic",
    "ref_attr",
    "vendor_attr",
    "vendor_flag",
]
