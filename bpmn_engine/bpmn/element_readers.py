"""The reader table (BPMN tag -> reader) for flow elements, and container reading
(what processes and subprocesses share)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from bpmn_engine.bpmn import event_readers as events
from bpmn_engine.bpmn import task_readers as tasks
from bpmn_engine.bpmn.extensions import VendorExtensions, vendor_attr
from bpmn_engine.bpmn.issues import warning
from bpmn_engine.bpmn.model import (
    AdHocSubProcess,
    BaseElement,
    CallActivity,
    ComplexGateway,
    DataObject,
    EventBasedGateway,
    ExclusiveGateway,
    FlowNode,
    InclusiveGateway,
    ParallelGateway,
    SequenceFlow,
    SubProcess,
    Transaction,
    VariableMapping,
    frozen_mapping,
)
from bpmn_engine.bpmn.reading import (
    Kids,
    ReadContext,
    base_kwargs,
    bool_attr,
    flow_node_kwargs,
    generated_flow_id,
    read_generic,
    ref_attr,
)

NodeReader = Callable[[etree._Element, ReadContext, str], FlowNode]


def _gateway_kwargs(
    el: etree._Element, kids: Kids, ctx: ReadContext, parent_id: str
) -> dict[str, Any]:
    return {"default": ref_attr(el, "default", ctx), **flow_node_kwargs(el, kids, ctx, parent_id)}


def read_exclusive_gateway(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "exclusiveGateway", ctx)
    return ExclusiveGateway(**_gateway_kwargs(el, kids, ctx, parent_id))


def read_inclusive_gateway(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "inclusiveGateway", ctx)
    return InclusiveGateway(**_gateway_kwargs(el, kids, ctx, parent_id))


def read_parallel_gateway(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "parallelGateway", ctx)
    return ParallelGateway(**_gateway_kwargs(el, kids, ctx, parent_id))


def read_event_based_gateway(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "eventBasedGateway", ctx)
    return EventBasedGateway(
        instantiate=bool_attr(el, "instantiate", False),
        event_gateway_type=el.get("eventGatewayType") or "Exclusive",
        **_gateway_kwargs(el, kids, ctx, parent_id),
    )


def read_complex_gateway(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "complexGateway", ctx)
    return ComplexGateway(
        activation_condition=kids.take_text("activationCondition"),
        **_gateway_kwargs(el, kids, ctx, parent_id),
    )


def read_call_activity(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    """Variable passing per dialect. Zeebe (``zeebe:calledElement``, or a Camunda 8 document
    and no ``camunda:in``/``out``): every parent variable passes in unless
    ``propagateAllParentVariables="false"``, then only the input-mapped ones (as
    ``camunda:in variables="all" local="true"``); every child variable comes back unless
    ``propagateAllChildVariables="false"``; with output mappings the child's variables are
    local to the call activity (``camunda:out variables="all" local="true"``) and only the
    mapped ones reach the parent. Camunda 7 and plain BPMN: nothing passes either way
    without ``camunda:in``/``camunda:out``."""
    kids = Kids(el, "callActivity", ctx)
    ext = kids.ext
    zeebe = ext.zeebe.get("calledElement", {})
    called = el.get("calledElement") or zeebe.get("processId") or zeebe.get("processIdExpression")
    binding = vendor_attr(el, "calledElementBinding") or zeebe.get("bindingType") or "latest"
    dialect = "calledElement" in ext.zeebe or (
        ctx.zeebe_document and not ext.in_mappings and not ext.out_mappings
    )
    return CallActivity(
        called_element=called,
        binding=binding,
        version=vendor_attr(el, "calledElementVersion"),
        version_tag=vendor_attr(el, "calledElementVersionTag") or zeebe.get("versionTag"),
        **(_zeebe_propagation(zeebe, ext) if dialect else _camunda_mappings(ext)),
        **tasks.activity_kwargs(el, kids, ctx, parent_id),
    )


def _camunda_mappings(ext: VendorExtensions) -> dict[str, Any]:
    return {"in_mappings": tuple(ext.in_mappings), "out_mappings": tuple(ext.out_mappings)}


def _zeebe_propagation(zeebe: dict[str, str], ext: VendorExtensions) -> dict[str, Any]:
    parent = zeebe.get("propagateAllParentVariables") != "false"
    local_only = (VariableMapping(all_variables=True, local=True),)
    return {
        "propagate_all_parent_variables": parent,
        "propagate_all_child_variables": zeebe.get("propagateAllChildVariables") != "false",
        "in_mappings": () if parent else local_only,
        "out_mappings": local_only if ext.outputs else (),
    }


def _sub_process_kwargs(
    el: etree._Element, kids: Kids, ctx: ReadContext, parent_id: str
) -> dict[str, Any]:
    node_id = el.get("id") or ""
    content = read_flow_elements(kids, ctx, node_id)
    return {
        "triggered_by_event": bool_attr(el, "triggeredByEvent", False),
        **content,
        **tasks.activity_kwargs(el, kids, ctx, parent_id),
    }


def read_sub_process(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "subProcess", ctx)
    return SubProcess(**_sub_process_kwargs(el, kids, ctx, parent_id))


def read_transaction(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "transaction", ctx)
    return Transaction(method=el.get("method"), **_sub_process_kwargs(el, kids, ctx, parent_id))


def read_ad_hoc_sub_process(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "adHocSubProcess", ctx)
    return AdHocSubProcess(
        completion_condition=kids.take_text("completionCondition"),
        ordering=el.get("ordering") or "Parallel",
        cancel_remaining_instances=bool_attr(el, "cancelRemainingInstances", True),
        **_sub_process_kwargs(el, kids, ctx, parent_id),
    )


FLOW_NODE_READERS: dict[str, NodeReader] = {
    "startEvent": events.read_start_event,
    "endEvent": events.read_end_event,
    "intermediateCatchEvent": events.read_intermediate_catch_event,
    "intermediateThrowEvent": events.read_intermediate_throw_event,
    "boundaryEvent": events.read_boundary_event,
    "task": tasks.read_task,
    "manualTask": tasks.read_manual_task,
    "userTask": tasks.read_user_task,
    "serviceTask": tasks.read_service_task,
    "sendTask": tasks.read_send_task,
    "receiveTask": tasks.read_receive_task,
    "scriptTask": tasks.read_script_task,
    "businessRuleTask": tasks.read_business_rule_task,
    "callActivity": read_call_activity,
    "subProcess": read_sub_process,
    "transaction": read_transaction,
    "adHocSubProcess": read_ad_hoc_sub_process,
    "exclusiveGateway": read_exclusive_gateway,
    "inclusiveGateway": read_inclusive_gateway,
    "parallelGateway": read_parallel_gateway,
    "eventBasedGateway": read_event_based_gateway,
    "complexGateway": read_complex_gateway,
}

ARTIFACT_TAGS = frozenset(
    {"textAnnotation", "association", "group", "dataObjectReference", "dataStoreReference"}
)


def read_sequence_flow(el: etree._Element, ctx: ReadContext, parent_id: str) -> SequenceFlow:
    kids = Kids(el, "sequenceFlow", ctx)
    condition = kids.take_text("conditionExpression")
    kwargs = base_kwargs(el, kids, ctx)
    if not kwargs["id"]:
        kwargs["id"] = generated_flow_id(el)
        ctx.issues.append(
            warning(
                "missing-id",
                f"Expected <sequenceFlow> to have an id, but it has none; it is called "
                f"'{kwargs['id']}' here",
                None,
                el.sourceline,
            )
        )
    return SequenceFlow(
        source_ref=ref_attr(el, "sourceRef", ctx) or "",
        target_ref=ref_attr(el, "targetRef", ctx) or "",
        parent_id=parent_id,
        condition=condition,
        **kwargs,
    )


def read_data_object(el: etree._Element, ctx: ReadContext) -> DataObject:
    kids = Kids(el, "dataObject", ctx)
    return DataObject(
        is_collection=bool_attr(el, "isCollection", False),
        item_subject_ref=el.get("itemSubjectRef"),
        **base_kwargs(el, kids, ctx),
    )


def read_flow_elements(kids: Kids, ctx: ReadContext, container_id: str) -> dict[str, Any]:
    """Take the flow elements of a process/subprocess: nodes, flows, data objects, artifacts."""
    nodes: dict[str, FlowNode] = {}
    flows: dict[str, SequenceFlow] = {}
    data_objects: dict[str, DataObject] = {}
    artifacts: list[BaseElement] = []
    for local, child in kids.order:
        reader = FLOW_NODE_READERS.get(local)
        if reader is not None:
            node = reader(child, ctx, container_id)
            nodes[node.id] = node
        elif local == "sequenceFlow":
            flow = read_sequence_flow(child, ctx, container_id)
            flows[flow.id] = flow
        elif local == "dataObject":
            data = read_data_object(child, ctx)
            data_objects[data.id] = data
        elif local in ARTIFACT_TAGS:
            artifacts.append(read_generic(child, local, ctx))
        else:
            continue
        kids.take(local)
    return {
        "nodes": frozen_mapping(nodes),
        "flows": frozen_mapping(flows),
        "data_objects": frozen_mapping(data_objects),
        "artifacts": tuple(artifacts),
    }
