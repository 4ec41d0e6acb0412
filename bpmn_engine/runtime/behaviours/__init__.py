"""The ``BEHAVIOURS`` registry: one behaviour object per BPMN element class.

Lookup follows the model class's MRO, so a subclass without its own entry (e.g.
``Transaction``) gets its base class's behaviour. Later issues add entries here
(event subprocesses, compensation) or in ``base.LOOP_BEHAVIOURS`` (loops). An event
subprocess (``SubProcess.triggered_by_event``) gets ``EventSubProcessBehaviour``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import (
    AdHocSubProcess,
    BoundaryEvent,
    BusinessRuleTask,
    CallActivity,
    ComplexGateway,
    EndEvent,
    EventBasedGateway,
    ExclusiveGateway,
    FlowNode,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ManualTask,
    MultiInstanceLoopCharacteristics,
    ParallelGateway,
    ReceiveTask,
    ScriptTask,
    SendTask,
    ServiceTask,
    StandardLoopCharacteristics,
    StartEvent,
    SubProcess,
    Task,
    UserTask,
)
from bpmn_engine.runtime.behaviours.base import LOOP_BEHAVIOURS, ActivityBehaviour, Behaviour
from bpmn_engine.runtime.behaviours.call_activities import CallActivityBehaviour
from bpmn_engine.runtime.behaviours.compensation import record_completion
from bpmn_engine.runtime.behaviours.event_subprocesses import EventSubProcessBehaviour
from bpmn_engine.runtime.behaviours.events import (
    BoundaryEventBehaviour,
    EndEventBehaviour,
    IntermediateCatchEventBehaviour,
    IntermediateThrowEventBehaviour,
    StartEventBehaviour,
)
from bpmn_engine.runtime.behaviours.gateways import (
    ComplexGatewayBehaviour,
    EventBasedGatewayBehaviour,
    ExclusiveGatewayBehaviour,
    InclusiveGatewayBehaviour,
    ParallelGatewayBehaviour,
)
from bpmn_engine.runtime.behaviours.loops import MultiInstanceBehaviour, StandardLoopBehaviour
from bpmn_engine.runtime.behaviours.subprocesses import (
    AdHocSubProcessBehaviour,
    SubProcessBehaviour,
)
from bpmn_engine.runtime.behaviours.tasks import (
    BusinessRuleTaskBehaviour,
    JobTaskBehaviour,
    ReceiveTaskBehaviour,
    ScriptTaskBehaviour,
    TaskBehaviour,
    UserTaskBehaviour,
)

if TYPE_CHECKING:
    from bpmn_engine.runtime.tables import ProcessTables

_job = JobTaskBehaviour()

BEHAVIOURS: dict[type, Behaviour] = {
    StartEvent: StartEventBehaviour(),
    EndEvent: EndEventBehaviour(),
    IntermediateCatchEvent: IntermediateCatchEventBehaviour(),
    IntermediateThrowEvent: IntermediateThrowEventBehaviour(),
    BoundaryEvent: BoundaryEventBehaviour(),
    ExclusiveGateway: ExclusiveGatewayBehaviour(),
    ParallelGateway: ParallelGatewayBehaviour(),
    InclusiveGateway: InclusiveGatewayBehaviour(),
    EventBasedGateway: EventBasedGatewayBehaviour(),
    ComplexGateway: ComplexGatewayBehaviour(),
    Task: TaskBehaviour(),
    ManualTask: TaskBehaviour(),
    UserTask: UserTaskBehaviour(),
    ServiceTask: _job,
    SendTask: _job,
    BusinessRuleTask: BusinessRuleTaskBehaviour(),
    ScriptTask: ScriptTaskBehaviour(),
    ReceiveTask: ReceiveTaskBehaviour(),
    SubProcess: SubProcessBehaviour(),
    AdHocSubProcess: AdHocSubProcessBehaviour(),
    CallActivity: CallActivityBehaviour(),
}

LOOP_BEHAVIOURS.update(
    {
        MultiInstanceLoopCharacteristics: MultiInstanceBehaviour(),
        StandardLoopCharacteristics: StandardLoopBehaviour(),
    }
)

EVENT_SUBPROCESS = EventSubProcessBehaviour()
_FALLBACK = Behaviour()


def behaviour_for(node: FlowNode) -> Behaviour:
    """The behaviour of ``node``'s class (or of its nearest registered base class)."""
    if isinstance(node, SubProcess) and node.triggered_by_event:
        return EVENT_SUBPROCESS
    for cls in type(node).__mro__:
        behaviour = BEHAVIOURS.get(cls)
        if behaviour is not None:
            return behaviour
    return _FALLBACK


def completion_hooks(tables: ProcessTables) -> dict[str, tuple[Any, ...]]:
    """Per activity, what must run when it completes, while its scope still exists: the
    loop's instance bookkeeping, the compensation log."""
    hooks: dict[str, list[Any]] = {}
    for node in tables.nodes.values():
        loop = getattr(node, "loop", None)
        if loop is not None and type(loop) in LOOP_BEHAVIOURS:
            hooks.setdefault(node.id, []).append(LOOP_BEHAVIOURS[type(loop)].completing)
    for node_id in tables.compensable():
        hooks.setdefault(node_id, []).append(record_completion)
    return {k: tuple(v) for k, v in hooks.items()}


__all__ = [
    "BEHAVIOURS",
    "LOOP_BEHAVIOURS",
    "ActivityBehaviour",
    "Behaviour",
    "behaviour_for",
    "completion_hooks",
]
