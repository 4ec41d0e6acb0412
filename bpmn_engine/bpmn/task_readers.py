"""Readers for tasks, their vendor configuration (assignment, forms, jobs) and loops."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lxml import etree

from bpmn_engine.bpmn.extensions import split_list, vendor_attr, vendor_flag
from bpmn_engine.bpmn.issues import warning
from bpmn_engine.bpmn.model import (
    BusinessRuleTask,
    FlowNode,
    JobDefinition,
    LoopCharacteristics,
    ManualTask,
    MultiInstanceLoopCharacteristics,
    ReceiveTask,
    ScriptTask,
    SendTask,
    ServiceTask,
    StandardLoopCharacteristics,
    Task,
    UserTask,
    UserTaskAssignment,
    frozen_mapping,
)
from bpmn_engine.bpmn.reading import (
    Kids,
    ReadContext,
    bool_attr,
    element_text,
    flow_node_kwargs,
    ref_attr,
)


def form_of(el: etree._Element, kids: Kids) -> UserTaskAssignment | None:
    """The form of a start event, or None when it declares none."""
    assignment = assignment_of(el, kids)
    has_form = assignment.form_key or assignment.form_ref or assignment.form_fields
    return assignment if has_form else None


def assignment_of(el: etree._Element, kids: Kids) -> UserTaskAssignment:
    """Camunda 7 / Flowable attributes and Zeebe extension elements, merged."""
    ext = kids.ext
    z = ext.z
    candidate_users = vendor_attr(el, "candidateUsers") or z(
        "assignmentDefinition", "candidateUsers"
    )
    candidate_groups = vendor_attr(el, "candidateGroups") or z(
        "assignmentDefinition", "candidateGroups"
    )
    form_key = vendor_attr(el, "formKey") or z("formDefinition", "formKey")
    form_key = form_key or z("formDefinition", "externalReference")
    return UserTaskAssignment(
        assignee=vendor_attr(el, "assignee") or z("assignmentDefinition", "assignee"),
        candidate_users=split_list(candidate_users),
        candidate_groups=split_list(candidate_groups),
        due_date=vendor_attr(el, "dueDate") or z("taskSchedule", "dueDate"),
        follow_up_date=vendor_attr(el, "followUpDate") or z("taskSchedule", "followUpDate"),
        priority=vendor_attr(el, "priority") or z("priorityDefinition", "priority"),
        form_key=form_key,
        form_ref=vendor_attr(el, "formRef") or z("formDefinition", "formId"),
        form_ref_binding=vendor_attr(el, "formRefBinding") or z("formDefinition", "bindingType"),
        form_ref_version=vendor_attr(el, "formRefVersion") or z("formDefinition", "versionTag"),
        form_fields=tuple(ext.form_fields),
    )


def _implementation(
    el: etree._Element, kids: Kids, ctx: ReadContext | None = None
) -> tuple[str, str | None, bool] | None:
    """(implementation, type, external) from whichever vendor configured the task; when it
    carries both a Zeebe and a Camunda 7 definition, ``modeler:executionPlatform`` decides
    (Zeebe without it) and the validator warns."""
    zeebe = _zeebe_implementation(kids)
    classic = _classic_implementation(el, kids)
    if zeebe is None or classic is None:
        return zeebe or classic
    platform = ctx.execution_platform if ctx is not None else ""
    chosen = classic if platform.startswith("Camunda Platform") else zeebe
    if ctx is not None:
        ctx.issues.append(
            warning(
                "two-platform-definitions",
                f"Expected one platform's task definition, but found a Zeebe one (type "
                f"'{zeebe[1]}') and a Camunda 7 one ({classic[0]} '{classic[1]}'); using "
                f"the {'Camunda 7' if chosen is classic else 'Zeebe'} one"
                + (
                    f" (modeler:executionPlatform '{platform}')"
                    if platform
                    else " (no modeler:executionPlatform says which)"
                ),
                element_id=el.get("id"),
                line=el.sourceline or 0,
            )
        )
    return chosen


def _zeebe_implementation(kids: Kids) -> tuple[str, str | None, bool] | None:
    task_type = kids.ext.z("taskDefinition", "type")
    return ("type", task_type, True) if task_type is not None else None


def _classic_implementation(el: etree._Element, kids: Kids) -> tuple[str, str | None, bool] | None:
    ext = kids.ext
    vendor_type = vendor_attr(el, "type")
    if vendor_type in ("external", "external-worker"):
        return "type", vendor_attr(el, "topic"), True
    for attribute in ("class", "expression", "delegateExpression"):
        value = vendor_attr(el, attribute)
        if value is not None:
            return attribute, value, False
    if ext.connector_id is not None:
        return "connector", ext.connector_id, False
    decision = vendor_attr(el, "decisionRef") or ext.z("calledDecision", "decisionId")
    if decision is not None:
        return "decision", decision, False
    if vendor_type is not None:
        return "type", vendor_type, False
    return None


def job_of(
    el: etree._Element, kids: Kids, *, optional: bool = False, ctx: ReadContext | None = None
) -> Any:
    """The ``JobDefinition`` of a service-like element (None if ``optional`` and unset)."""
    found = _implementation(el, kids, ctx)
    if found is None and optional:
        return None
    implementation, job_type, external = found or ("type", None, False)
    ext = kids.ext
    return JobDefinition(
        implementation=implementation,
        type=job_type,
        external=external,
        retries=ext.z("taskDefinition", "retries"),
        retry_time_cycle=ext.retry_time_cycle,
        result_variable=vendor_attr(el, "resultVariable")
        or vendor_attr(el, "resultVariableName")
        or ext.z("calledDecision", "resultVariable"),
        headers=frozen_mapping(ext.headers) if ext.headers else frozen_mapping(),
        priority=vendor_attr(el, "taskPriority"),
    )


def read_multi_instance(el: etree._Element, ctx: ReadContext) -> MultiInstanceLoopCharacteristics:
    kids = Kids(el, "multiInstanceLoopCharacteristics", ctx)
    z = kids.ext.z
    input_item = kids.take_one("inputDataItem")
    output_item = kids.take_one("outputDataItem")
    data_input = kids.take_text("loopDataInputRef")
    data_output = kids.take_text("loopDataOutputRef")
    collection = vendor_attr(el, "collection") or z("loopCharacteristics", "inputCollection")
    element_variable = vendor_attr(el, "elementVariable") or z(
        "loopCharacteristics", "inputElement"
    )
    return MultiInstanceLoopCharacteristics(
        line=el.sourceline or 0,
        is_sequential=bool_attr(el, "isSequential", False),
        loop_cardinality=kids.take_text("loopCardinality"),
        collection=collection or data_input,
        element_variable=element_variable or _item_name(input_item),
        completion_condition=kids.take_text("completionCondition"),
        output_collection=z("loopCharacteristics", "outputCollection") or data_output,
        output_element=z("loopCharacteristics", "outputElement") or _item_name(output_item),
    )


def _item_name(item: etree._Element | None) -> str | None:
    if item is None:
        return None
    return item.get("name") or item.get("id")


def read_standard_loop(el: etree._Element, ctx: ReadContext) -> StandardLoopCharacteristics:
    kids = Kids(el, "standardLoopCharacteristics", ctx)
    maximum = el.get("loopMaximum")
    return StandardLoopCharacteristics(
        line=el.sourceline or 0,
        loop_condition=kids.take_text("loopCondition"),
        test_before=bool_attr(el, "testBefore", False),
        loop_maximum=int(maximum) if maximum and maximum.strip().isdigit() else None,
    )


def _loop_of(kids: Kids, ctx: ReadContext) -> LoopCharacteristics | None:
    multi = kids.take_one("multiInstanceLoopCharacteristics")
    if multi is not None:
        return read_multi_instance(multi, ctx)
    standard = kids.take_one("standardLoopCharacteristics")
    if standard is not None:
        return read_standard_loop(standard, ctx)
    return None


def activity_kwargs(
    el: etree._Element, kids: Kids, ctx: ReadContext, parent_id: str
) -> dict[str, Any]:
    """Fields of ``Activity``; call it last in a reader (it collects the leftovers)."""
    node_id = el.get("id") or ""
    return {
        "loop": _loop_of(kids, ctx),
        "is_for_compensation": bool_attr(el, "isForCompensation", False),
        "default": ref_attr(el, "default", ctx),
        "boundary_event_ids": tuple(ctx.attached.get(node_id, ())),
        "retry_time_cycle": kids.ext.retry_time_cycle,
        **flow_node_kwargs(el, kids, ctx, parent_id),
    }


def read_task(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    return Task(**activity_kwargs(el, Kids(el, "task", ctx), ctx, parent_id))


def read_manual_task(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    return ManualTask(**activity_kwargs(el, Kids(el, "manualTask", ctx), ctx, parent_id))


def _resource_expressions(elements: list[etree._Element]) -> tuple[str, ...]:
    """The ``formalExpression`` texts of ``potentialOwner``/``humanPerformer`` elements
    (``<resourceAssignmentExpression><formalExpression>``), split at top-level commas."""
    found: list[str] = []
    for element in elements:
        for assignment in element:
            if not isinstance(assignment.tag, str):
                continue
            if assignment.tag.rpartition("}")[2] != "resourceAssignmentExpression":
                continue
            for expression in assignment:
                if isinstance(expression.tag, str) and expression.tag.rpartition("}")[2] in (
                    "formalExpression",
                    "expression",
                ):
                    found.extend(split_list(element_text(expression)))
    return tuple(found)


def _identity(entry: str) -> tuple[str, str]:
    """``user(kermit)`` -> ("user", "kermit"); ``group(x)`` and a plain name -> group
    (the Activiti/Camunda convention for potential owners)."""
    for kind in ("user", "group"):
        if entry.startswith(kind + "(") and entry.endswith(")"):
            return kind, entry[len(kind) + 1 : -1].strip()
    return "group", entry


def with_resource_assignments(assignment: UserTaskAssignment, kids: Kids) -> UserTaskAssignment:
    """BPMN ``potentialOwner`` entries become candidate users/groups and a
    ``humanPerformer`` the assignee (vendor attributes first, as Camunda merges them)."""
    # read, not taken: the elements stay in the task's generic content too
    owners = _resource_expressions(kids.groups.get("potentialOwner", []))
    performers = _resource_expressions(kids.groups.get("humanPerformer", []))
    if not owners and not performers:
        return assignment
    users = list(assignment.candidate_users)
    groups = list(assignment.candidate_groups)
    for kind, name in (_identity(e) for e in owners):
        target = users if kind == "user" else groups
        if name and name not in target:
            target.append(name)
    assignee = assignment.assignee
    if assignee is None and performers:
        assignee = (
            _identity(performers[0])[1] if performers[0].startswith("user(") else performers[0]
        )
    return replace(
        assignment, assignee=assignee, candidate_users=tuple(users), candidate_groups=tuple(groups)
    )


def read_user_task(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "userTask", ctx)
    implementation = el.get("implementation")
    if kids.ext_element is not None and kids.ext.zeebe_user_task:
        implementation = implementation or "zeebe:userTask"
    return UserTask(
        assignment=with_resource_assignments(assignment_of(el, kids), kids),
        implementation=implementation,
        **activity_kwargs(el, kids, ctx, parent_id),
    )


def read_service_task(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "serviceTask", ctx)
    return ServiceTask(job=job_of(el, kids, ctx=ctx), **activity_kwargs(el, kids, ctx, parent_id))


def read_send_task(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "sendTask", ctx)
    return SendTask(
        job=job_of(el, kids, ctx=ctx),
        message_ref=ref_attr(el, "messageRef", ctx),
        **activity_kwargs(el, kids, ctx, parent_id),
    )


def read_business_rule_task(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "businessRuleTask", ctx)
    decision = vendor_attr(el, "decisionRef") or kids.ext.z("calledDecision", "decisionId")
    return BusinessRuleTask(
        job=job_of(el, kids, ctx=ctx),
        decision_ref=decision,
        decision_binding=vendor_attr(el, "decisionRefBinding") or "latest",
        decision_version=vendor_attr(el, "decisionRefVersion"),
        map_decision_result=vendor_attr(el, "mapDecisionResult")
        or ("resultList" if vendor_attr(el, "decisionRef") else "value"),
        **activity_kwargs(el, kids, ctx, parent_id),
    )


def read_receive_task(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "receiveTask", ctx)
    return ReceiveTask(
        message_ref=ref_attr(el, "messageRef", ctx),
        instantiate=bool_attr(el, "instantiate", False),
        **activity_kwargs(el, kids, ctx, parent_id),
    )


def read_script_task(el: etree._Element, ctx: ReadContext, parent_id: str) -> FlowNode:
    kids = Kids(el, "scriptTask", ctx)
    script_element = kids.take_one("script")
    script = element_text(script_element)
    script_format = el.get("scriptFormat")
    result_variable = vendor_attr(el, "resultVariable")
    zeebe_script = kids.ext.zeebe.get("script") if kids.ext_element is not None else None
    if zeebe_script is not None and script is None:
        script = zeebe_script.get("expression")
        script_format = script_format or "feel"
        result_variable = result_variable or zeebe_script.get("resultVariable")
    return ScriptTask(
        script=script,
        script_format=script_format,
        result_variable=result_variable,
        resource=vendor_attr(el, "resource"),
        **activity_kwargs(el, kids, ctx, parent_id),
    )


def is_async(el: etree._Element) -> bool:
    return vendor_flag(el, "asyncBefore") or vendor_flag(el, "async")
