"""The immutable BPMN 2.0 model: one frozen dataclass per BPMN element.

The parser builds it once per deployed definition; the runtime only reads it. Vendor
extensions (``camunda:``, ``zeebe:``, ``flowable:``/``activiti:``) are already folded into
the neutral fields below (``UserTaskAssignment``, ``JobDefinition``, ``IoMapping`` ...), so
nothing downstream needs to know which modeler wrote the file.

Conventions:
- ``id`` is the BPMN id; ``line`` the source line of the element's start tag (0 if built in code).
- References to other elements are ids (``str``), never object links, so the model is a tree.
- Expressions are kept as source text (``${...}``, ``=...`` or plain); the runtime compiles
  them through ``bpmn_engine.expressions``.
- Collections are tuples; lookups are read-only mappings (``types.MappingProxyType``).
- Elements compare and hash by identity (``eq=False``): one object per parsed element.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
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


# --------------------------------------------------------------------------- root elements


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


# --------------------------------------------------------------------------- event definitions


class TimerKind(StrEnum):
    DATE = "date"
    DURATION = "duration"
    CYCLE = "cycle"


@dataclass(frozen=True, kw_only=True, eq=False)
class EventDefinition(BaseElement):
    """Base of the ``*EventDefinition`` elements. ``id`` may be empty (it is optional)."""

    id: str = ""


@dataclass(frozen=True, kw_only=True, eq=False)
class TimerEventDefinition(EventDefinition):
    """``timeDate`` / ``timeDuration`` / ``timeCycle``; ``expression`` is the raw text."""

    tag: str = "timerEventDefinition"
    kind: TimerKind | None = None
    expression: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class MessageEventDefinition(EventDefinition):
    tag: str = "messageEventDefinition"
    message_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class SignalEventDefinition(EventDefinition):
    tag: str = "signalEventDefinition"
    signal_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class ErrorEventDefinition(EventDefinition):
    """On a catch event, ``error_ref`` None catches every error."""

    tag: str = "errorEventDefinition"
    error_ref: str | None = None
    error_code_variable: str | None = None  # camunda:errorCodeVariable
    error_message_variable: str | None = None  # camunda:errorMessageVariable


@dataclass(frozen=True, kw_only=True, eq=False)
class EscalationEventDefinition(EventDefinition):
    tag: str = "escalationEventDefinition"
    escalation_ref: str | None = None
    escalation_code_variable: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class CompensateEventDefinition(EventDefinition):
    """``activity_ref`` None compensates every completed activity of the scope."""

    tag: str = "compensateEventDefinition"
    activity_ref: str | None = None
    wait_for_completion: bool = True


@dataclass(frozen=True, kw_only=True, eq=False)
class ConditionalEventDefinition(EventDefinition):
    tag: str = "conditionalEventDefinition"
    condition: str | None = None
    variable_name: str | None = None  # camunda:variableName
    variable_events: tuple[str, ...] = ()  # camunda:variableEvents (create, update, delete)


@dataclass(frozen=True, kw_only=True, eq=False)
class LinkEventDefinition(EventDefinition):
    tag: str = "linkEventDefinition"
    link_name: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class TerminateEventDefinition(EventDefinition):
    tag: str = "terminateEventDefinition"


@dataclass(frozen=True, kw_only=True, eq=False)
class CancelEventDefinition(EventDefinition):
    tag: str = "cancelEventDefinition"


# --------------------------------------------------------------------------- extensions, neutral


@dataclass(frozen=True, kw_only=True, eq=False)
class Parameter:
    """One input/output mapping entry.

    ``kind`` is ``expression`` (``value`` is expression or template text), ``literal``,
    ``list`` (``items``), ``map`` (``entries``) or ``script`` (``value`` is script text,
    ``script_format`` its language). Zeebe ``source``/``target`` pairs use ``expression``
    (``literal`` for a static source without ``=``); a dotted Zeebe target (``order.total``)
    also sets ``path`` (``("order", "total")``).
    """

    name: str
    kind: str = "expression"
    value: str | None = None
    items: tuple[Parameter, ...] = ()
    entries: Mapping[str, Parameter] = empty_mapping()
    script_format: str | None = None
    path: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class IoMapping:
    """``camunda:inputOutput`` / ``zeebe:ioMapping``: inputs into the activity's local scope,
    outputs from it back to the enclosing scope."""

    inputs: tuple[Parameter, ...] = ()
    outputs: tuple[Parameter, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class VariableMapping:
    """``camunda:in``/``camunda:out`` (call activities) in neutral form.

    Exactly one of ``source`` (a variable name), ``source_expression`` or ``all_variables``
    is set; ``business_key`` marks ``camunda:in businessKey="..."`` (``source_expression``
    then holds the key expression).
    """

    source: str | None = None
    source_expression: str | None = None
    target: str | None = None
    all_variables: bool = False
    local: bool = False
    business_key: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)
class FormFieldConstraint:
    name: str  # required, readonly, minlength, maxlength, min, max, pattern ...
    config: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class FormField:
    """``camunda:formField``: typed field of a generated task form."""

    id: str
    label: str | None = None
    type: str = "string"  # string, long, boolean, date, enum, ...
    default_value: str | None = None
    enum_values: Mapping[str, str] = empty_mapping()  # id -> label, in document order
    constraints: tuple[FormFieldConstraint, ...] = ()
    properties: Mapping[str, str] = empty_mapping()


@dataclass(frozen=True, kw_only=True, eq=False)
class UserTaskAssignment:
    """Who may work a user task, and its form; values may be expressions."""

    assignee: str | None = None
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: str | None = None
    form_key: str | None = None
    form_ref: str | None = None  # camunda:formRef / zeebe:formDefinition formId
    form_ref_binding: str | None = None
    form_ref_version: str | None = None
    form_fields: tuple[FormField, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class JobDefinition:
    """How a service/send/business-rule task is carried out.

    ``implementation``: ``type`` (a handler/topic, incl. ``camunda:type="external"`` and
    ``zeebe:taskDefinition``), ``class``, ``expression``, ``delegateExpression``,
    ``connector`` or ``decision`` (business rule). ``external`` marks work fetched by
    external workers. ``retries`` (an integer or expression text) and ``retry_time_cycle``
    (``R5/PT1M`` or ``PT10M,PT20M``) shape retries.
    """

    implementation: str = "type"
    type: str | None = None
    external: bool = False
    retries: str | None = None
    retry_time_cycle: str | None = None
    result_variable: str | None = None
    headers: Mapping[str, str] = empty_mapping()
    priority: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class MultiInstanceLoopCharacteristics:
    """Parallel or sequential multi-instance, from the BPMN elements or vendor attributes."""

    tag: str = "multiInstanceLoopCharacteristics"
    line: int = 0
    is_sequential: bool = False
    loop_cardinality: str | None = None
    collection: str | None = None  # expression or variable name of the input collection
    element_variable: str | None = None
    completion_condition: str | None = None
    output_collection: str | None = None
    output_element: str | None = None  # expression evaluated per instance


@dataclass(frozen=True, kw_only=True, eq=False)
class StandardLoopCharacteristics:
    tag: str = "standardLoopCharacteristics"
    line: int = 0
    loop_condition: str | None = None
    test_before: bool = False
    loop_maximum: int | None = None


LoopCharacteristics = MultiInstanceLoopCharacteristics | StandardLoopCharacteristics


# --------------------------------------------------------------------------- flow elements


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
class Event(FlowNode):
    event_definitions: tuple[EventDefinition, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class StartEvent(Event):
    """``is_interrupting`` matters only inside event subprocesses."""

    tag: str = "startEvent"
    is_interrupting: bool = True
    form: UserTaskAssignment | None = None  # camunda:formKey / formData on the start event
    initiator: str | None = None  # camunda:initiator


@dataclass(frozen=True, kw_only=True, eq=False)
class EndEvent(Event):
    tag: str = "endEvent"
    job: JobDefinition | None = None  # message end events implemented like send tasks


@dataclass(frozen=True, kw_only=True, eq=False)
class IntermediateCatchEvent(Event):
    tag: str = "intermediateCatchEvent"


@dataclass(frozen=True, kw_only=True, eq=False)
class IntermediateThrowEvent(Event):
    tag: str = "intermediateThrowEvent"
    job: JobDefinition | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class BoundaryEvent(Event):
    tag: str = "boundaryEvent"
    attached_to_ref: str
    cancel_activity: bool = True


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


@dataclass(frozen=True, kw_only=True, eq=False)
class Activity(FlowNode):
    """Common to tasks, subprocesses and call activities.

    ``boundary_event_ids`` lists the boundary events attached to this activity (filled by
    the parser from ``attachedToRef``); ``default`` the default outgoing flow.
    """

    loop: LoopCharacteristics | None = None
    is_for_compensation: bool = False
    default: str | None = None
    boundary_event_ids: tuple[str, ...] = ()
    retry_time_cycle: str | None = None  # camunda:failedJobRetryTimeCycle for async jobs


@dataclass(frozen=True, kw_only=True, eq=False)
class Task(Activity):
    """A plain ``task``: passes the token through."""

    tag: str = "task"


@dataclass(frozen=True, kw_only=True, eq=False)
class ManualTask(Task):
    tag: str = "manualTask"


@dataclass(frozen=True, kw_only=True, eq=False)
class UserTask(Task):
    tag: str = "userTask"
    assignment: UserTaskAssignment = field(default_factory=UserTaskAssignment)
    implementation: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class ServiceTask(Task):
    tag: str = "serviceTask"
    job: JobDefinition = field(default_factory=JobDefinition)


@dataclass(frozen=True, kw_only=True, eq=False)
class SendTask(Task):
    tag: str = "sendTask"
    job: JobDefinition = field(default_factory=JobDefinition)
    message_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class BusinessRuleTask(Task):
    tag: str = "businessRuleTask"
    job: JobDefinition = field(default_factory=JobDefinition)
    decision_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class ReceiveTask(Task):
    tag: str = "receiveTask"
    message_ref: str | None = None
    instantiate: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)
class ScriptTask(Task):
    """``script_format`` None means our own expression language."""

    tag: str = "scriptTask"
    script: str | None = None
    script_format: str | None = None
    result_variable: str | None = None
    resource: str | None = None  # camunda:resource (external script file): not executable


@dataclass(frozen=True, kw_only=True, eq=False)
class CallActivity(Activity):
    """``binding``: ``latest`` | ``version`` | ``deployment`` | ``versionTag``."""

    tag: str = "callActivity"
    called_element: str | None = None
    binding: str = "latest"
    version: str | None = None
    version_tag: str | None = None
    in_mappings: tuple[VariableMapping, ...] = ()
    out_mappings: tuple[VariableMapping, ...] = ()
    # without in/out mappings: pass every variable in / back (the parser sets them per
    # dialect: Zeebe's flags, default true; Camunda 7 and plain BPMN pass nothing)
    propagate_all_child_variables: bool = False
    propagate_all_parent_variables: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)
class FlowElementsContainer:
    """What processes and subprocesses share: their direct children.

    ``nodes``/``flows`` hold direct children only; ``Process.all_nodes``/``all_flows``
    index every node of every nesting level for O(1) lookup by id.
    """

    nodes: Mapping[str, FlowNode] = empty_mapping()
    flows: Mapping[str, SequenceFlow] = empty_mapping()
    data_objects: Mapping[str, DataObject] = empty_mapping()
    artifacts: tuple[BaseElement, ...] = ()

    def start_events(self) -> tuple[StartEvent, ...]:
        return tuple(n for n in self.nodes.values() if isinstance(n, StartEvent))

    def event_subprocesses(self) -> tuple[SubProcess, ...]:
        return tuple(
            n for n in self.nodes.values() if isinstance(n, SubProcess) and n.triggered_by_event
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class SubProcess(Activity, FlowElementsContainer):
    tag: str = "subProcess"
    triggered_by_event: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)
class Transaction(SubProcess):
    tag: str = "transaction"
    method: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class AdHocSubProcess(SubProcess):
    tag: str = "adHocSubProcess"
    completion_condition: str | None = None
    ordering: str = "Parallel"
    cancel_remaining_instances: bool = True


# --------------------------------------------------------------------------- data, lanes, artifacts


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


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True, kw_only=True, eq=False)
class Process(BaseElement, FlowElementsContainer):
    """An executable (or descriptive) process.

    ``all_nodes``/``all_flows``: every node/flow at any depth, by id (for the runtime).
    ``is_executable`` None means the attribute was absent (Camunda deploys those anyway).
    """

    tag: str = "process"
    is_executable: bool | None = None
    all_nodes: Mapping[str, FlowNode] = empty_mapping()
    all_flows: Mapping[str, SequenceFlow] = empty_mapping()
    lanes: tuple[Lane, ...] = ()
    candidate_starter_groups: tuple[str, ...] = ()
    candidate_starter_users: tuple[str, ...] = ()
    version_tag: str | None = None
    history_time_to_live: str | None = None

    def node(self, node_id: str) -> FlowNode:
        return self.all_nodes[node_id]

    def container(self, container_id: str) -> FlowElementsContainer:
        """The process itself or the subprocess with this id."""
        if container_id == self.id:
            return self
        found = self.all_nodes[container_id]
        assert isinstance(found, SubProcess)
        return found


@dataclass(frozen=True, kw_only=True, eq=False)
class Participant(BaseElement):
    tag: str = "participant"
    process_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class MessageFlow(BaseElement):
    tag: str = "messageFlow"
    source_ref: str
    target_ref: str
    message_ref: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class Collaboration(BaseElement):
    tag: str = "collaboration"
    participants: tuple[Participant, ...] = ()
    message_flows: tuple[MessageFlow, ...] = ()
    artifacts: tuple[BaseElement, ...] = ()


# --------------------------------------------------------------------------- diagram interchange


@dataclass(frozen=True, kw_only=True, eq=False)
class Bounds:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, kw_only=True, eq=False)
class DiagramShape:
    id: str
    element_id: str | None
    bounds: Bounds | None = None
    is_expanded: bool | None = None
    is_horizontal: bool | None = None
    label_bounds: Bounds | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class DiagramEdge:
    id: str
    element_id: str | None
    waypoints: tuple[tuple[float, float], ...] = ()
    label_bounds: Bounds | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class Diagram:
    id: str
    name: str | None = None
    plane_element_id: str | None = None
    shapes: tuple[DiagramShape, ...] = ()
    edges: tuple[DiagramEdge, ...] = ()


# --------------------------------------------------------------------------- the document


@dataclass(frozen=True, kw_only=True, eq=False)
class Definitions(BaseElement):
    """The whole parsed document."""

    tag: str = "definitions"
    target_namespace: str | None = None
    exporter: str | None = None
    exporter_version: str | None = None
    processes: Mapping[str, Process] = empty_mapping()
    collaborations: tuple[Collaboration, ...] = ()
    messages: Mapping[str, Message] = empty_mapping()
    signals: Mapping[str, Signal] = empty_mapping()
    errors: Mapping[str, Error] = empty_mapping()
    escalations: Mapping[str, Escalation] = empty_mapping()
    other_root_elements: tuple[BaseElement, ...] = ()
    diagrams: tuple[Diagram, ...] = ()

    def process(self, process_id: str) -> Process:
        return self.processes[process_id]

    def executable_processes(self) -> tuple[Process, ...]:
        """Processes an engine should deploy: executable, or with the attribute absent."""
        return tuple(p for p in self.processes.values() if p.is_executable is not False)


def iter_flow_nodes(container: FlowElementsContainer) -> Iterator[FlowNode]:
    """Every flow node below ``container``, depth first, in document order."""
    for node in container.nodes.values():
        yield node
        if isinstance(node, SubProcess):
            yield from iter_flow_nodes(node)
