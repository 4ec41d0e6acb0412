"""Activities: tasks, call activities and subprocesses (flow-element containers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bpmn_engine.bpmn.model.base import BaseElement, DataObject, empty_mapping
from bpmn_engine.bpmn.model.events import StartEvent
from bpmn_engine.bpmn.model.extensions import (
    JobDefinition,
    LoopCharacteristics,
    UserTaskAssignment,
    VariableMapping,
)
from bpmn_engine.bpmn.model.flow import FlowNode, SequenceFlow


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
    decision_binding: str = "latest"  # Camunda 7 decisionRefBinding: latest/deployment/version
    decision_version: str | None = None
    map_decision_result: str = "resultList"  # singleEntry/singleResult/collectEntries/resultList


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
