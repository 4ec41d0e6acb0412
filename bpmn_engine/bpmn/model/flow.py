"""Sequence flows, the flow-node base class and gateways."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bpmn_engine.bpmn.model.base import BaseElement
from bpmn_engine.bpmn.model.extensions import IoMapping


@dataclass(frozen=True, kw_only=True, eq=False)
class SequenceFlow(BaseElement):
    """``condition`` is the ``conditionExpression`` text (None: unconditional)."""

    tag: str = "sequenceFlow"
    source_ref: str
    target_ref: str
    condition: str | None = None
    parent_id: str = ""


@dataclass(frozen=True, kw_only=True, eq=False)
class FlowNode(BaseElement):
    """A node tokens visit. ``parent_id`` is the id of the enclosing process/subprocess."""

    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    parent_id: str = ""
    async_before: bool = False
    async_after: bool = False
    io_mapping: IoMapping | None = None
    listeners: tuple[Mapping[str, str], ...] = ()  # execution/task listeners, kept, not run


@dataclass(frozen=True, kw_only=True, eq=False)
class Gateway(FlowNode):
    """``default`` is the id of the default outgoing flow, where the kind allows one."""

    default: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class ExclusiveGateway(Gateway):
    tag: str = "exclusiveGateway"


@dataclass(frozen=True, kw_only=True, eq=False)
class InclusiveGateway(Gateway):
    tag: str = "inclusiveGateway"


@dataclass(frozen=True, kw_only=True, eq=False)
class ParallelGateway(Gateway):
    tag: str = "parallelGateway"


@dataclass(frozen=True, kw_only=True, eq=False)
class EventBasedGateway(Gateway):
    tag: str = "eventBasedGateway"
    instantiate: bool = False
    event_gateway_type: str = "Exclusive"


@dataclass(frozen=True, kw_only=True, eq=False)
class ComplexGateway(Gateway):
    tag: str = "complexGateway"
    activation_condition: str | None = None
