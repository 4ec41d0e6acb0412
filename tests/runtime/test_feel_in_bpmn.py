"""Camunda 8 (Zeebe) ``=`` expressions run on the full FEEL implementation."""

from __future__ import annotations

from datetime import UTC, datetime

from bpmn_engine.bpmn import parse_bpmn
from bpmn_engine.runtime import UserTaskCreated
from tests.runtime.harness import Driver

MODELER_5 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_1"
    targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler"
    exporterVersion="5.16.0" modeler:executionPlatform="Camunda Cloud"
    modeler:executionPlatformVersion="8.3.0">
  <bpmn:process id="weekday" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="which"/>
    <bpmn:exclusiveGateway id="which" default="other"/>
    <bpmn:sequenceFlow id="tuesday" sourceRef="which" targetRef="on_tuesday">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        >= day of week(today()) = "Tuesday"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="other" sourceRef="which" targetRef="on_other_days"/>
    <bpmn:userTask id="on_tuesday"/>
    <bpmn:userTask id="on_other_days">
      <bpmn:extensionElements>
        <zeebe:ioMapping>
          <zeebe:input source="=0.1 + 0.2 = 0.3" target="exact"/>
          <zeebe:input
            source="=string join(for o in orders return upper case(o.name), &quot;, &quot;)"
            target="names"/>
          <zeebe:input source="=sum(orders[amount &gt; 10].amount)" target="big"/>
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_modeler_5_condition_with_day_of_week_validates_and_picks_the_weekday_path() -> None:
    driver = Driver(parse_bpmn(MODELER_5))
    driver.start(orders=[{"name": "ann", "amount": 5}, {"name": "bob", "amount": 12.5}])
    waiting = {task.node_id for task in driver.of(UserTaskCreated)}
    today_is_tuesday = datetime.now(UTC).strftime("%A") == "Tuesday"
    assert waiting == ({"on_tuesday"} if today_is_tuesday else {"on_other_days"})


def test_zeebe_input_mappings_use_feel_decimals_iteration_and_filters() -> None:
    driver = Driver(parse_bpmn(MODELER_5.replace('= "Tuesday"', '= "No such day"')))
    driver.start(orders=[{"name": "ann", "amount": 5}, {"name": "bob", "amount": 12.5}])
    scope = next(s for s in driver.state.scopes.values() if "names" in s.variables)
    assert scope.variables == {"exact": True, "names": "ANN, BOB", "big": 12.5}
