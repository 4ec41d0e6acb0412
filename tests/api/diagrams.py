"""Small diagrams the API tests deploy (built here so each test states what it drives)."""

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" '
    'targetNamespace="http://procession.example/api-tests">\n'
)

ORDER = (
    HEAD
    + """  <bpmn:message id="m_paid" name="Paid"/>
  <bpmn:error id="e_stock" errorCode="NO_STOCK"/>
  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:startEvent id="Placed"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Placed" targetRef="Approve"/>
    <bpmn:userTask id="Approve" name="Approve order" camunda:candidateGroups="sales">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="approved" label="Approve?" type="boolean"/>
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Approve" targetRef="Ship"/>
    <bpmn:serviceTask id="Ship" name="Ship" camunda:type="external" camunda:topic="ship"/>
    <bpmn:boundaryEvent id="NoStock" attachedToRef="Ship">
      <bpmn:errorEventDefinition errorRef="e_stock"/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="Ship" targetRef="WaitPaid"/>
    <bpmn:intermediateCatchEvent id="WaitPaid">
      <bpmn:messageEventDefinition messageRef="m_paid"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="WaitPaid" targetRef="Done"/>
    <bpmn:endEvent id="Done"/>
    <bpmn:sequenceFlow id="f5" sourceRef="NoStock" targetRef="Unshipped"/>
    <bpmn:endEvent id="Unshipped"/>
  </bpmn:process>
</bpmn:definitions>
"""
)

PAYMENT = (
    HEAD
    + """  <bpmn:message id="m_paid" name="Paid"/>
  <bpmn:process id="payment" name="Payment" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="WaitPaid"/>
    <bpmn:intermediateCatchEvent id="WaitPaid">
      <bpmn:messageEventDefinition messageRef="m_paid"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="WaitPaid" targetRef="Done"/>
    <bpmn:endEvent id="Done"/>
  </bpmn:process>
</bpmn:definitions>
"""
)

WORK = (
    HEAD
    + """  <bpmn:error id="e_reject" errorCode="REJECTED"/>
  <bpmn:process id="work" name="External work" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Work"/>
    <bpmn:serviceTask id="Work" camunda:type="external" camunda:topic="work"/>
    <bpmn:boundaryEvent id="Rejected" attachedToRef="Work">
      <bpmn:errorEventDefinition errorRef="e_reject"/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Work" targetRef="Done"/>
    <bpmn:endEvent id="Done"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Rejected" targetRef="RejectedEnd"/>
    <bpmn:endEvent id="RejectedEnd"/>
  </bpmn:process>
</bpmn:definitions>
"""
)

BROKEN = (
    HEAD
    + """  <bpmn:process id="broken" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Nowhere"/>
  </bpmn:process>
</bpmn:definitions>
"""
)
