"""The ``BEHAVIOURS`` registry: one behaviour object per BPMN element class.

Lookup follows the model class's MRO, so a subclass without its own entry (e.g.
``Transaction``) gets its base class's behaviour. Later issues add entries here
(event subprocesses, compensation) or in ``base.LOOP_BEHAVIOURS`` (loops).
"""

from __future__ import annotations

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
    ParallelGateway,
    ReceiveTask,
    ScriptTask,
    SendTask,
    ServiceTask,
    StartEvent,
    SubProcess,
    Task,
    UserTask,
)
from bpmn_engine.runtime.behaviours.base import LOOP_BEHAVIOURS, ActivityBehaviour, Behaviour
from bpmn_engine.runtime.behaviours.call_activities import CallActivityBehaviour
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
from bpmn_engine.runtime.behaviours.subprocesses import (
    AdHocSubProcessBehaviour,
    SubProcessBehaviour,
)
from bpmn_engine.runtime.behaviours.tasks import (
    JobTaskBehaviour,
    ReceiveTaskBehaviour,
    ScriptTaskBehaviour,
    TaskBehaviour,
    UserTaskBehaviour,
)

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
    BusinessRuleTask: _job,
    ScriptTask: ScriptTaskBehaviour(),
    ReceiveTask: ReceiveTaskBehaviour(),
    SubProcess: SubProcessBehaviour(),
    AdHocSubProcess: AdHocSubProcessBehaviour(),
    CallActivity: CallActivityBehaviour(),
}

_FALLBACK = Behaviour()


def behaviour_for(node: FlowNode) -> Behaviour:
    """The behaviour of ``node``'s class (or of its nearest registered base class)."""
    for cls in type(node).__mro__:
        behaviour = BEHAVIOURS.get(cls)
        if behaviour is not None:
            return behaviour
    return _FALLBACK


__all__ = ["BEHAVIOURS", "LOOP_BEHAVIOURS", "ActivityBehaviour", "Behaviour", "behaviour_for"]
