"""ORM rows only: no behaviour beyond field definitions and trivial properties.

The instance row holds the runtime state snapshot (the source of truth for the token
engine) and a version column; every other table is a projection the store keeps in step
within the same transaction (user tasks, jobs, timers, subscriptions, incidents,
variables, tokens) or an append-only record (activity history).
"""

from bpmn_engine.models.access import (
    ProcessDefinitionGroupPermission,
    ProcessDefinitionUserPermission,
    TaskComment,
    UserTaskGroupPermission,
    UserTaskUserPermission,
)
from bpmn_engine.models.audit import AuditAnchoredHead, AuditChainHead, AuditEvent
from bpmn_engine.models.decisions import DecisionDefinition, DecisionEvaluation
from bpmn_engine.models.definitions import Deployment, DeploymentResource, ProcessDefinition
from bpmn_engine.models.history import ActivityHistory
from bpmn_engine.models.instances import (
    InstanceStatePart,
    ProcessInstance,
    TokenRow,
    VariableRow,
)
from bpmn_engine.models.work import (
    CircuitBreaker,
    EventSubscription,
    Incident,
    Job,
    Timer,
    UserTask,
    UserTaskCandidate,
)

__all__ = [
    "ActivityHistory",
    "AuditAnchoredHead",
    "AuditChainHead",
    "AuditEvent",
    "CircuitBreaker",
    "DecisionDefinition",
    "DecisionEvaluation",
    "Deployment",
    "DeploymentResource",
    "EventSubscription",
    "Incident",
    "InstanceStatePart",
    "Job",
    "ProcessDefinition",
    "ProcessDefinitionGroupPermission",
    "ProcessDefinitionUserPermission",
    "ProcessInstance",
    "TaskComment",
    "Timer",
    "TokenRow",
    "UserTask",
    "UserTaskCandidate",
    "UserTaskGroupPermission",
    "UserTaskUserPermission",
    "VariableRow",
]
