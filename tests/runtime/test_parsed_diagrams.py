"""I/O mappings and loop characteristics as real modelers write them (parsed XML)."""

from __future__ import annotations

from bpmn_engine.bpmn import parse_bpmn
from bpmn_engine.runtime import JobCreated, UserTaskCreated
from tests.runtime.harness import Driver

HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">'
    '<process id="p" isExecutable="true">'
)
TAIL = (
    '<endEvent id="end"/><sequenceFlow id="f1" sourceRef="start" targetRef="t"/>'
    '<sequenceFlow id="f2" sourceRef="t" targetRef="end"/></process></definitions>'
)


def _diagram(task: str) -> Driver:
    return Driver(parse_bpmn(f'{HEAD}<startEvent id="start"/>{task}{TAIL}'))


def test_camunda_input_output_literal_expression_list_and_map_values() -> None:
    d = _diagram(
        '<userTask id="t"><extensionElements><camunda:inputOutput>'
        '<camunda:inputParameter name="greeting">hello</camunda:inputParameter>'
        '<camunda:inputParameter name="total">${price * 2}</camunda:inputParameter>'
        '<camunda:inputParameter name="names"><camunda:list>'
        "<camunda:value>a</camunda:value><camunda:value>${who}</camunda:value>"
        "</camunda:list></camunda:inputParameter>"
        '<camunda:inputParameter name="address"><camunda:map>'
        '<camunda:entry key="city">${city}</camunda:entry>'
        '<camunda:entry key="zip">1000</camunda:entry></camunda:map></camunda:inputParameter>'
        '<camunda:outputParameter name="result">${total + 1}</camunda:outputParameter>'
        "</camunda:inputOutput></extensionElements></userTask>"
    )
    d.start(price=5, who="b", city="Ghent")
    local = d.state.scopes[d.of(UserTaskCreated)[0].scope_id].variables
    assert local == {
        "greeting": "hello",
        "total": 10,
        "names": ["a", "b"],
        "address": {"city": "Ghent", "zip": "1000"},
    }
    assert "total" not in d.variables
    d.complete("t")
    assert d.variables["result"] == 11 and "total" not in d.variables


def test_zeebe_io_mapping_feel_sources_and_targets() -> None:
    d = _diagram(
        '<serviceTask id="t"><extensionElements><zeebe:taskDefinition type="charge"/>'
        '<zeebe:ioMapping><zeebe:input source="=order.total * 100" target="cents"/>'
        '<zeebe:output source="=receipt" target="chargeReceipt"/></zeebe:ioMapping>'
        "</extensionElements></serviceTask>"
    )
    d.start(order={"total": 3})
    job = d.of(JobCreated)[0]
    assert d.state.visible_variables(job.scope_id)["cents"] == 300
    d.complete_job("t", receipt="R-1")
    assert d.variables["chargeReceipt"] == "R-1"


def test_camunda_collection_and_element_variable() -> None:
    d = _diagram(
        '<userTask id="t"><multiInstanceLoopCharacteristics camunda:collection="${reviewers}" '
        'camunda:elementVariable="reviewer"><completionCondition>'
        "${nrOfCompletedInstances == 2}</completionCondition>"
        "</multiInstanceLoopCharacteristics></userTask>"
    )
    d.start(reviewers=["ann", "bob", "cy"])
    created = d.of(UserTaskCreated)
    assert [d.state.scopes[e.scope_id].variables["reviewer"] for e in created] == [
        "ann",
        "bob",
        "cy",
    ]
    for event in created[:2]:
        d.send(_complete(event.wait_id))
    assert d.state.status == "completed"


def _complete(wait_id: str) -> object:
    from bpmn_engine.runtime import CompleteUserTask

    return CompleteUserTask(wait_id)


def test_zeebe_loop_characteristics_input_and_output_collections() -> None:
    d = _diagram(
        '<serviceTask id="t"><extensionElements><zeebe:taskDefinition type="price"/>'
        '</extensionElements><multiInstanceLoopCharacteristics isSequential="true">'
        '<extensionElements><zeebe:loopCharacteristics inputCollection="=items" '
        'inputElement="item" outputCollection="prices" outputElement="=price"/>'
        "</extensionElements></multiInstanceLoopCharacteristics></serviceTask>"
    )
    d.start(items=["x", "y"])
    d.complete_job("t", price=1)
    d.complete_job("t", price=2)
    assert d.state.status == "completed"
    assert d.variables["prices"] == [1, 2]


def test_loop_cardinality_from_the_bpmn_element() -> None:
    d = _diagram(
        '<task id="t"><multiInstanceLoopCharacteristics>'
        "<loopCardinality>3</loopCardinality></multiInstanceLoopCharacteristics></task>"
    )
    d.start()
    assert d.state.status == "completed"
    assert d.state.completed_activities == ["t"]
