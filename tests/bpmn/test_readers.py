"""Element readers and vendor extensions (Camunda 7, Zeebe, Flowable/Activiti)."""

from __future__ import annotations

from bpmn_engine.bpmn import parse_bpmn
from bpmn_engine.bpmn.model import (
    BoundaryEvent,
    CallActivity,
    ExclusiveGateway,
    MultiInstanceLoopCharacteristics,
    ScriptTask,
    ServiceTask,
    SubProcess,
    TimerEventDefinition,
    TimerKind,
    UserTask,
)
from tests.bpmn.helpers import diagram, linear


def test_camunda7_user_task_reads_every_assignment_attribute() -> None:
    task = """<userTask id="t" name="Approve" camunda:assignee="${initiator}"
        camunda:candidateUsers="kermit, ${boss}" camunda:candidateGroups="management,sales"
        camunda:dueDate="P2D" camunda:followUpDate="${later}" camunda:priority="70"
        camunda:formKey="embedded:app:forms/approve.html" camunda:formRef="approveForm"
        camunda:formRefBinding="version" camunda:formRefVersion="3"
        camunda:asyncBefore="true" camunda:asyncAfter="true">
      <extensionElements>
        <camunda:failedJobRetryTimeCycle>R5/PT5M</camunda:failedJobRetryTimeCycle>
        <camunda:properties><camunda:property name="color" value="red"/></camunda:properties>
      </extensionElements>
    </userTask>"""
    node = parse_bpmn(linear(task)).process("p").node("t")
    assert isinstance(node, UserTask)
    a = node.assignment
    assert a.assignee == "${initiator}"
    assert a.candidate_users == ("kermit", "${boss}")
    assert a.candidate_groups == ("management", "sales")
    assert (a.due_date, a.follow_up_date, a.priority) == ("P2D", "${later}", "70")
    assert a.form_key == "embedded:app:forms/approve.html"
    assert (a.form_ref, a.form_ref_binding, a.form_ref_version) == ("approveForm", "version", "3")
    assert node.async_before and node.async_after
    assert node.retry_time_cycle == "R5/PT5M"
    assert dict(node.properties) == {"color": "red"}
    assert (node.incoming, node.outgoing, node.parent_id) == (("f1",), ("f2",), "p")


def test_camunda_form_data_keeps_fields_constraints_and_enum_values() -> None:
    task = """<userTask id="t"><extensionElements><camunda:formData>
        <camunda:formField id="amount" label="Amount" type="long" defaultValue="10">
          <camunda:validation>
            <camunda:constraint name="required"/>
            <camunda:constraint name="min" config="1"/>
          </camunda:validation>
        </camunda:formField>
        <camunda:formField id="kind" type="enum">
          <camunda:value id="a" name="Alpha"/><camunda:value id="b" name="Beta"/>
          <camunda:properties><camunda:property id="hint" value="pick one"/></camunda:properties>
        </camunda:formField>
      </camunda:formData></extensionElements></userTask>"""
    fields = parse_bpmn(linear(task)).process("p").node("t").assignment.form_fields
    amount, kind = fields
    assert (amount.id, amount.label, amount.type, amount.default_value) == (
        "amount",
        "Amount",
        "long",
        "10",
    )
    assert [(c.name, c.config) for c in amount.constraints] == [("required", None), ("min", "1")]
    assert dict(kind.enum_values) == {"a": "Alpha", "b": "Beta"}
    assert dict(kind.properties) == {"hint": "pick one"}


def test_camunda_input_output_reads_text_list_map_and_script_values() -> None:
    task = """<serviceTask id="t" camunda:class="org.Foo"><extensionElements>
      <camunda:inputOutput>
        <camunda:inputParameter name="plain">hello</camunda:inputParameter>
        <camunda:inputParameter name="expr">${a + 1}</camunda:inputParameter>
        <camunda:inputParameter name="items"><camunda:list>
          <camunda:value>one</camunda:value><camunda:value>${two}</camunda:value>
        </camunda:list></camunda:inputParameter>
        <camunda:inputParameter name="table"><camunda:map>
          <camunda:entry key="k">v</camunda:entry>
        </camunda:map></camunda:inputParameter>
        <camunda:outputParameter name="out">
          <camunda:script scriptFormat="juel">${x}</camunda:script>
        </camunda:outputParameter>
      </camunda:inputOutput></extensionElements></serviceTask>"""
    node = parse_bpmn(linear(task)).process("p").node("t")
    plain, expr, items, table = node.io_mapping.inputs
    assert (plain.kind, plain.value) == ("literal", "hello")
    assert (expr.kind, expr.value) == ("expression", "${a + 1}")
    assert items.kind == "list" and [i.value for i in items.items] == ["one", "${two}"]
    assert table.kind == "map" and table.entries["k"].value == "v"
    (out,) = node.io_mapping.outputs
    assert (out.name, out.kind, out.value, out.script_format) == ("out", "script", "${x}", "juel")
    assert (node.job.implementation, node.job.type) == ("class", "org.Foo")


def test_camunda_external_task_becomes_an_external_job() -> None:
    task = (
        '<serviceTask id="t" camunda:type="external" camunda:topic="charge" '
        'camunda:taskPriority="5"/>'
    )
    job = parse_bpmn(linear(task)).process("p").node("t").job
    assert (job.implementation, job.type, job.external, job.priority) == (
        "type",
        "charge",
        True,
        "5",
    )


def test_camunda_call_activity_reads_in_out_mappings_and_binding() -> None:
    call = """<callActivity id="t" calledElement="child" camunda:calledElementBinding="version"
        camunda:calledElementVersion="2"><extensionElements>
        <camunda:in source="a" target="b"/><camunda:in variables="all" local="true"/>
        <camunda:in businessKey="${key}"/>
        <camunda:out sourceExpression="${x * 2}" target="y"/>
      </extensionElements></callActivity>"""
    node = parse_bpmn(linear(call)).process("p").node("t")
    assert isinstance(node, CallActivity)
    assert (node.called_element, node.binding, node.version) == ("child", "version", "2")
    plain, every, key = node.in_mappings
    assert (plain.source, plain.target) == ("a", "b")
    assert every.all_variables and every.local
    assert key.business_key and key.source_expression == "${key}"
    assert node.out_mappings[0].source_expression == "${x * 2}"


def test_camunda_call_activity_without_mappings_passes_no_variables() -> None:
    node = parse_bpmn(linear('<callActivity id="t" calledElement="child"/>')).process("p").node("t")
    assert not node.propagate_all_parent_variables and not node.propagate_all_child_variables
    assert node.in_mappings == () and node.out_mappings == ()


def test_zeebe_call_activity_propagates_every_variable_by_default() -> None:
    call = """<callActivity id="t"><extensionElements>
        <zeebe:calledElement processId="child"/></extensionElements></callActivity>"""
    node = parse_bpmn(linear(call)).process("p").node("t")
    assert node.propagate_all_parent_variables and node.propagate_all_child_variables
    assert node.in_mappings == () and node.out_mappings == ()


def test_zeebe_call_activity_flags_limit_variables_to_the_mapped_ones() -> None:
    call = """<callActivity id="t"><extensionElements>
        <zeebe:calledElement processId="child" propagateAllParentVariables="false"
          propagateAllChildVariables="false"/>
        <zeebe:ioMapping><zeebe:input source="=a" target="x"/>
          <zeebe:output source="=r" target="result"/></zeebe:ioMapping>
      </extensionElements></callActivity>"""
    node = parse_bpmn(linear(call)).process("p").node("t")
    assert not node.propagate_all_parent_variables and not node.propagate_all_child_variables
    (passed,) = node.in_mappings  # only the call activity's input-mapped (local) variables
    (back,) = node.out_mappings  # the child's variables, local to the call activity
    assert passed.all_variables and passed.local and back.all_variables and back.local


def test_call_activity_in_a_camunda_8_document_follows_zeebe_without_called_element() -> None:
    text = linear('<callActivity id="t" calledElement="child"/>').replace(
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" ', ""
    )
    for vendor in ("flowable", "activiti"):
        text = text.replace(f'xmlns:{vendor}="http://{vendor}.org/bpmn"', "")
    node = parse_bpmn(text).process("p").node("t")
    assert node.propagate_all_parent_variables and node.propagate_all_child_variables


def test_camunda_multi_instance_collection_and_process_starters() -> None:
    task = """<userTask id="t"><multiInstanceLoopCharacteristics isSequential="true"
        camunda:collection="${reviewers}" camunda:elementVariable="reviewer">
        <completionCondition>${nrOfCompletedInstances == 2}</completionCondition>
      </multiInstanceLoopCharacteristics></userTask>"""
    text = linear(task).replace(
        'isExecutable="true"',
        'isExecutable="true" camunda:candidateStarterGroups="a,b" '
        'camunda:candidateStarterUsers="u" camunda:versionTag="v1"',
    )
    process = parse_bpmn(text).process("p")
    loop = process.node("t").loop
    assert isinstance(loop, MultiInstanceLoopCharacteristics)
    assert loop.is_sequential and loop.collection == "${reviewers}"
    assert loop.element_variable == "reviewer"
    assert loop.completion_condition == "${nrOfCompletedInstances == 2}"
    assert process.candidate_starter_groups == ("a", "b")
    assert (process.candidate_starter_users, process.version_tag) == (("u",), "v1")


def test_zeebe_service_task_reads_task_definition_headers_and_io_mapping() -> None:
    task = """<serviceTask id="t"><extensionElements>
        <zeebe:taskDefinition type="payment" retries="5"/>
        <zeebe:taskHeaders><zeebe:header key="method" value="card"/></zeebe:taskHeaders>
        <zeebe:ioMapping><zeebe:input source="=order.total" target="amount"/>
          <zeebe:output source="=receipt" target="receiptId"/></zeebe:ioMapping>
      </extensionElements></serviceTask>"""
    node = parse_bpmn(linear(task)).process("p").node("t")
    assert isinstance(node, ServiceTask)
    assert (node.job.type, node.job.retries, node.job.external) == ("payment", "5", True)
    assert dict(node.job.headers) == {"method": "card"}
    (given,) = node.io_mapping.inputs
    assert (given.name, given.value) == ("amount", "=order.total")
    assert node.io_mapping.outputs[0].name == "receiptId"


def test_zeebe_user_task_reads_assignment_schedule_and_form() -> None:
    task = """<userTask id="t"><extensionElements><zeebe:userTask/>
        <zeebe:assignmentDefinition assignee="=owner" candidateGroups="ops, dev"/>
        <zeebe:taskSchedule dueDate="=now()" followUpDate="2030-01-01T00:00:00Z"/>
        <zeebe:priorityDefinition priority="80"/>
        <zeebe:formDefinition formId="approval" bindingType="deployment"/>
      </extensionElements></userTask>"""
    node = parse_bpmn(linear(task)).process("p").node("t")
    a = node.assignment
    assert (a.assignee, a.candidate_groups) == ("=owner", ("ops", "dev"))
    assert (a.due_date, a.follow_up_date, a.priority) == ("=now()", "2030-01-01T00:00:00Z", "80")
    assert (a.form_ref, a.form_ref_binding) == ("approval", "deployment")
    assert node.implementation == "zeebe:userTask"


def test_zeebe_called_element_loop_characteristics_and_subscription() -> None:
    call = """<callActivity id="t"><extensionElements>
        <zeebe:calledElement processId="child" propagateAllChildVariables="true"/>
      </extensionElements><multiInstanceLoopCharacteristics><extensionElements>
        <zeebe:loopCharacteristics inputCollection="=items" inputElement="item"
          outputCollection="results" outputElement="=result"/>
      </extensionElements></multiInstanceLoopCharacteristics></callActivity>"""
    roots = """<message id="m" name="paid"><extensionElements>
      <zeebe:subscription correlationKey="=orderId"/></extensionElements></message>"""
    definitions = parse_bpmn(linear(call).replace("<process", roots + "<process", 1))
    node = definitions.process("p").node("t")
    assert node.called_element == "child" and node.propagate_all_child_variables
    loop = node.loop
    assert (loop.collection, loop.element_variable) == ("=items", "item")
    assert (loop.output_collection, loop.output_element) == ("results", "=result")
    assert definitions.messages["m"].correlation_key == "=orderId"


def test_flowable_and_activiti_attributes_map_to_the_same_fields() -> None:
    flowable = '<userTask id="t" flowable:assignee="kermit" flowable:candidateGroups="a,b"/>'
    activiti = '<userTask id="t" activiti:assignee="kermit" activiti:candidateGroups="a,b"/>'
    for task in (flowable, activiti):
        a = parse_bpmn(linear(task)).process("p").node("t").assignment
        assert (a.assignee, a.candidate_groups) == ("kermit", ("a", "b"))


def test_flowable_form_properties_become_form_fields() -> None:
    task = """<userTask id="t"><extensionElements>
        <flowable:formProperty id="ok" name="Approve?" type="enum" required="true">
          <flowable:value id="yes" name="Yes"/></flowable:formProperty>
      </extensionElements></userTask>"""
    (field,) = parse_bpmn(linear(task)).process("p").node("t").assignment.form_fields
    assert (field.id, field.label, field.type) == ("ok", "Approve?", "enum")
    assert [c.name for c in field.constraints] == ["required"]
    assert dict(field.enum_values) == {"yes": "Yes"}


def test_subprocess_nodes_boundary_events_and_timers_are_indexed() -> None:
    body = """<startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
      <subProcess id="sub"><startEvent id="s2"/>
        <sequenceFlow id="f3" sourceRef="s2" targetRef="e2"/>
        <endEvent id="e2"/></subProcess>
      <boundaryEvent id="b" attachedToRef="sub" cancelActivity="false">
        <timerEventDefinition><timeDuration xsi:type="tFormalExpression">PT5M</timeDuration>
        </timerEventDefinition></boundaryEvent>
      <sequenceFlow id="f2" sourceRef="sub" targetRef="end"/><endEvent id="end"/>"""
    process = parse_bpmn(diagram(body)).process("p")
    sub = process.node("sub")
    assert isinstance(sub, SubProcess) and set(sub.nodes) == {"s2", "e2"}
    assert sub.boundary_event_ids == ("b",)
    assert process.node("e2").parent_id == "sub" and process.all_flows["f3"].parent_id == "sub"
    boundary = process.node("b")
    assert isinstance(boundary, BoundaryEvent) and not boundary.cancel_activity
    (timer,) = boundary.event_definitions
    assert isinstance(timer, TimerEventDefinition)
    assert (timer.kind, timer.expression) == (TimerKind.DURATION, "PT5M")


def test_gateway_default_and_conditions_are_read() -> None:
    body = """<startEvent id="start"/><sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>
      <exclusiveGateway id="gw" default="f2"/>
      <sequenceFlow id="f1" sourceRef="gw" targetRef="end">
        <conditionExpression xsi:type="tFormalExpression"><![CDATA[${x > 1}]]></conditionExpression>
      </sequenceFlow><sequenceFlow id="f2" sourceRef="gw" targetRef="end"/><endEvent id="end"/>"""
    process = parse_bpmn(diagram(body)).process("p")
    gateway = process.node("gw")
    assert isinstance(gateway, ExclusiveGateway) and gateway.default == "f2"
    assert process.all_flows["f1"].condition == "${x > 1}"
    assert process.node("end").incoming == ("f1", "f2")


def test_script_task_reads_format_script_and_result_variable() -> None:
    task = """<scriptTask id="t" scriptFormat="python" camunda:resultVariable="r">
      <script>x = 1</script></scriptTask>"""
    node = parse_bpmn(linear(task)).process("p").node("t")
    assert isinstance(node, ScriptTask)
    assert (node.script, node.script_format, node.result_variable) == ("x = 1", "python", "r")


def test_collaboration_lanes_and_diagram_are_kept() -> None:
    text = """<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d">
  <collaboration id="c"><participant id="pool" processRef="p"/>
    <messageFlow id="mf" sourceRef="pool" targetRef="start"/></collaboration>
  <process id="p"><laneSet><lane id="l1"><flowNodeRef>start</flowNodeRef></lane></laneSet>
    <startEvent id="start"/></process>
  <bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="plane" bpmnElement="c">
    <bpmndi:BPMNShape id="s" bpmnElement="start"><dc:Bounds x="1" y="2" width="36" height="36"/>
    </bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="e" bpmnElement="mf"><di:waypoint x="0" y="0"/><di:waypoint x="5" y="5"/>
    </bpmndi:BPMNEdge></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>"""
    definitions = parse_bpmn(text)
    (collaboration,) = definitions.collaborations
    assert collaboration.participants[0].process_ref == "p"
    assert collaboration.message_flows[0].target_ref == "start"
    assert definitions.process("p").lanes[0].flow_node_refs == ("start",)
    (dia,) = definitions.diagrams
    assert dia.plane_element_id == "c"
    assert dia.shapes[0].bounds.width == 36.0 and dia.shapes[0].element_id == "start"
    assert dia.edges[0].waypoints == ((0.0, 0.0), (5.0, 5.0))


def test_generic_elements_keep_data_associations_and_io_specification() -> None:
    task = """<task id="t"><ioSpecification><dataInput id="in1"/><inputSet>
      <dataInputRefs>in1</dataInputRefs></inputSet><outputSet/></ioSpecification>
      <dataInputAssociation id="a1"><sourceRef>do1</sourceRef><targetRef>in1</targetRef>
      </dataInputAssociation></task><dataObject id="do1"/>"""
    process = parse_bpmn(linear(task)).process("p")
    extras = process.node("t").extra_elements
    assert [e.tag for e in extras] == ["ioSpecification", "dataInputAssociation"]
    assert [c.tag for c in extras[0].children] == ["dataInput", "inputSet", "outputSet"]
    assert extras[1].children[0].text == "do1"
    assert "do1" in process.data_objects


def test_zeebe_io_mapping_reads_nested_targets_as_paths_and_static_sources_as_literals() -> None:
    task = """<serviceTask id="t"><extensionElements>
        <zeebe:taskDefinition type="payment"/>
        <zeebe:ioMapping><zeebe:input source="gold" target="tier"/>
          <zeebe:output source="=sum" target="order.total"/></zeebe:ioMapping>
      </extensionElements></serviceTask>"""
    node = parse_bpmn(linear(task)).process("p").node("t")
    (given,) = node.io_mapping.inputs
    (back,) = node.io_mapping.outputs
    assert (given.kind, given.value, given.path) == ("literal", "gold", ())
    assert (back.kind, back.name, back.path) == ("expression", "order.total", ("order", "total"))
