"""A small order process with diagram interchange (bpmn-js draws only what DI places):
Start -> Review (user task) -> Charge (service task, no automatic retries) -> End."""

from __future__ import annotations

NODES = [
    ("Start", "startEvent", "", 150, 120, 36, 36),
    ("Review", "userTask", ' name="{review}"', 240, 98, 100, 80),
    (
        "Charge",
        "serviceTask",
        ' camunda:type="external" camunda:topic="test-flaky"',
        400,
        98,
        100,
        80,
    ),
    ("End", "endEvent", "", 560, 120, 36, 36),
]
FLOWS = [("f1", "Start", "Review"), ("f2", "Review", "Charge"), ("f3", "Charge", "End")]


def order_xml(review_name: str = "Review order") -> bytes:
    elements, shapes, edges = [], [], []
    bounds = {}
    for node_id, tag, attrs, x, y, w, h in NODES:
        body = ""
        if tag == "serviceTask":
            body = (
                "<bpmn:extensionElements><camunda:failedJobRetryTimeCycle>R0/PT1S"
                "</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>"
            )
        elements.append(
            f'<bpmn:{tag} id="{node_id}"{attrs.format(review=review_name)}>{body}</bpmn:{tag}>'
        )
        shapes.append(
            f'<bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}">'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>'
        )
        bounds[node_id] = (x, y, w, h)
    for flow_id, source, target in FLOWS:
        elements.append(
            f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
        )
        sx, sy, sw, sh = bounds[source]
        tx, ty, _, th = bounds[target]
        edges.append(
            f'<bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">'
            f'<di:waypoint x="{sx + sw}" y="{sy + sh // 2}"/>'
            f'<di:waypoint x="{tx}" y="{ty + th // 2}"/></bpmndi:BPMNEdge>'
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="t">
  <bpmn:process id="order" name="Order" isExecutable="true">
    {"".join(elements)}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram"><bpmndi:BPMNPlane id="Plane" bpmnElement="order">
    {"".join(shapes)}{"".join(edges)}
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>""".encode()
