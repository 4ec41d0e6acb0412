"""Base element, root elements (messages, signals, errors, escalations), data and lanes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})


def empty_mapping() -> Any:
    """A dataclass field defaulting to the shared empty read-only mapping."""
    return field(default_factory=lambda: EMPTY)


def frozen_mapping(items: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A read-only view of a fresh dict (used for every mapping field of the model)."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True, kw_only=True, eq=False)
class BaseElement:
    """Anything with a BPMN id. ``tag`` is the BPMN local name (``userTask``)."""

    tag: str = ""
    id: str
    name: str | None = None
    line: int = 0
    documentation: str | None = None
    properties: Mapping[str, str] = empty_mapping()  # camunda:properties / zeebe:properties
    # BPMN children without a dedicated field (ioSpecification, data associations, resource
    # roles, ...), kept generically so every BPMN element of the file stays reachable.
    extra_elements: tuple[GenericElement, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class Message(BaseElement):
    """``message``; ``correlation_key`` is Zeebe's ``zeebe:subscription correlationKey``."""

    tag: str = "message"
    correlation_key: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class Signal(BaseElement):
    tag: str = "signal"


@dataclass(frozen=True, kw_only=True, eq=False)
class Error(BaseElement):
    tag: str = "error"
    error_code: str | None = None
    error_message: str | None = None  # camunda:errorMessage


@dataclass(frozen=True, kw_only=True, eq=False)
class Escalation(BaseElement):
    tag: str = "escalation"
    escalation_code: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class DataObject(BaseElement):
    tag: str = "dataObject"
    is_collection: bool = False
    item_subject_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class Lane(BaseElement):
    tag: str = "lane"
    flow_node_refs: tuple[str, ...] = ()
    child_lanes: tuple[Lane, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class GenericElement(BaseElement):
    """A BPMN element the model keeps without dedicated semantics (artifacts, data
    associations, I/O specifications ...): its tag, attributes and children."""

    attributes: Mapping[str, str] = empty_mapping()
    children: tuple[GenericElement, ...] = ()
    text: str | None = None
