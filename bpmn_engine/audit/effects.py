"""Audit entries of one engine step: the trigger that moved the instance, then every
effect it produced (activities, variables with old and new value, tasks, jobs, incidents,
the instance's end)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bpmn_engine.audit.writer import Actor, Entry
from bpmn_engine.models.audit import AuditEventType as T
from bpmn_engine.runtime import InstanceState
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime import triggers as tr


@dataclass(slots=True)
class Before:
    """What the step's events need from the state as it was before the step (old values
    of variables come with ``VariablesChanged.previous``: nothing is copied per scope)."""

    wait_node: str
    wait_data: dict[str, Any]

    @classmethod
    def capture(cls, state: InstanceState, trigger: tr.Trigger) -> Before:
        wait = state.waits.get(getattr(trigger, "wait_id", "") or "")
        return cls(
            wait_node=wait.node_id if wait else "",
            wait_data=dict(wait.data) if wait else {},
        )


class StepEvents:
    """Builds the entries of one step of one instance."""

    def __init__(
        self,
        *,
        instance_id: int,
        definition_id: int,
        actor: Actor,
        now: datetime,
        before: Before,
        trigger: tr.Trigger,
    ) -> None:
        self.instance_id = instance_id
        self.definition_id = definition_id
        self.actor = actor
        self.now = now
        self.before = before
        self.trigger = trigger
        self.entries: list[Entry] = []
        self.known: dict[str, dict[str, Any]] = {}

    def add(
        self, event_type: str, element_id: str = "", at: datetime | None = None, **data: Any
    ) -> None:
        self.entries.append(
            Entry(
                event_type=event_type,
                actor=self.actor,
                occurred_at=at or self.now,
                instance_id=self.instance_id,
                definition_id=self.definition_id,
                element_id=element_id or "",
                data=data,
            )
        )

    def build(self, effects: list[fx.Effect]) -> list[Entry]:
        """The step's entries in order. An activity that starts and completes within the
        step (a gateway, a script task, a pass-through event) is one ``activity.completed``
        entry marked ``passed``, where its completion stands: its start adds nothing the
        completion does not say (same command, same time, same actor)."""
        _trigger_entry(self, self.trigger)
        entries = self.entries
        ends = []
        opened: dict[tuple[str, str], tuple[int, datetime]] = {}
        passed: set[int] = set()  # the entries of starts their completion stands for
        for effect in effects:
            kind = type(effect)
            if kind is fx.ActivityStarted:
                opened[(effect.token_id, effect.node_id)] = (len(entries), effect.at)
                _add_activity(self, T.ACTIVITY_STARTED, effect)
            elif kind is fx.ActivityCompleted:
                start = opened.pop((effect.token_id, effect.node_id), None)
                if start is not None and start[1] == effect.at:
                    passed.add(start[0])
                    _add_activity(self, T.ACTIVITY_COMPLETED, effect, passed=True)
                else:
                    _add_activity(self, T.ACTIVITY_COMPLETED, effect)
            elif kind is fx.ActivityCancelled:
                opened.pop((effect.token_id, effect.node_id), None)
                _add_activity(self, T.ACTIVITY_CANCELLED, effect)
            elif kind is fx.InstanceCompleted or kind is fx.InstanceCancelled:
                ends.append(effect)  # the runtime reports variables last; the end goes after
            else:
                handler = EFFECT_ENTRIES.get(kind)
                if handler is not None:
                    handler(self, effect)
        if passed:
            self.entries = entries = [e for i, e in enumerate(entries) if i not in passed]
        for effect in ends:
            EFFECT_ENTRIES[type(effect)](self, effect)
        return entries


def _trigger_entry(step: StepEvents, trigger: tr.Trigger) -> None:
    node, wait_data = step.before.wait_node, step.before.wait_data
    if isinstance(trigger, tr.StartInstance):
        step.add(
            T.INSTANCE_STARTED,
            trigger.start_event_id or "",
            variables=dict(trigger.variables),
            initiator=trigger.initiator,
        )
    elif isinstance(trigger, tr.CorrelateMessage):
        step.add(
            T.MESSAGE_CORRELATED,
            node,
            wait_id=trigger.wait_id,
            message=wait_data.get("message_name") or wait_data.get("message"),
            variables=dict(trigger.variables),
        )
    elif isinstance(trigger, tr.TriggerSignal):
        step.add(
            T.SIGNAL_RECEIVED,
            node,
            wait_id=trigger.wait_id,
            signal=wait_data.get("signal_name") or wait_data.get("signal"),
            variables=dict(trigger.variables),
        )
    elif isinstance(trigger, tr.ThrowBpmnError):
        step.add(
            T.JOB_ERROR_THROWN,
            node,
            wait_id=trigger.wait_id,
            error_code=trigger.error_code,
            message=trigger.message,
            variables=dict(trigger.variables),
        )


def _variables(step: StepEvents, e: fx.VariablesChanged) -> None:
    known = step.known.get(e.scope_id)
    if known is None:
        known = step.known[e.scope_id] = dict(e.previous)
    for name, value in e.changes.items():
        if name in known:
            if known[name] == value and type(known[name]) is type(value):
                continue
            step.add(T.VARIABLE_UPDATED, scope=e.scope_id, name=name, old=known[name], new=value)
        else:
            step.add(T.VARIABLE_CREATED, scope=e.scope_id, name=name, new=value)
        known[name] = value


_PASSED = {"passed": True}
_NOT_PASSED: dict[str, Any] = {}


def _add_activity(
    step: StepEvents, event_type: str, e: fx.ActivityEffect, *, passed: bool = False
) -> None:
    step.add(
        event_type,
        e.node_id,
        e.at,
        type=e.tag,
        name=e.name,
        token=e.token_id,
        scope=e.scope_id,
        **(_PASSED if passed else _NOT_PASSED),
    )


def _task_created(step: StepEvents, e: fx.UserTaskCreated) -> None:
    step.add(
        T.TASK_CREATED,
        e.node_id,
        wait_id=e.wait_id,
        name=e.name,
        assignee=e.assignee,
        candidate_users=list(e.candidate_users),
        candidate_groups=list(e.candidate_groups),
        due_at=e.due_at,
        priority=e.priority,
    )


def _task_completed(step: StepEvents, e: fx.UserTaskCompleted) -> None:
    trigger = step.trigger
    submitted: dict[str, Any] = {}
    local: dict[str, Any] = {}
    if isinstance(trigger, tr.CompleteUserTask) and trigger.wait_id == e.wait_id:
        submitted, local = dict(trigger.variables), dict(trigger.local_variables)
    step.add(
        T.TASK_COMPLETED,
        step.before.wait_node,
        wait_id=e.wait_id,
        completed_by=e.completed_by,
        values=submitted,
        local_values=local,
    )


def _job_completed(step: StepEvents, e: fx.JobCompleted) -> None:
    trigger = step.trigger
    variables = (
        dict(trigger.variables)
        if isinstance(trigger, tr.CompleteJob) and trigger.wait_id == e.wait_id
        else {}
    )
    step.add(T.JOB_COMPLETED, step.before.wait_node, wait_id=e.wait_id, variables=variables)


def _closed(event_type: str) -> Callable[[StepEvents, Any], None]:
    def add(step: StepEvents, e: fx.WaitClosed) -> None:
        step.add(event_type, wait_id=e.wait_id)

    return add


def _job_created(step: StepEvents, e: fx.JobCreated) -> None:
    step.add(
        T.JOB_CREATED,
        e.node_id,
        wait_id=e.wait_id,
        job_type=e.job_type,
        retries=e.retries,
        external=e.external,
    )


def _timer_fired(step: StepEvents, e: fx.TimerFired) -> None:
    step.add(T.TIMER_FIRED, step.before.wait_node, wait_id=e.wait_id)


def _decision_evaluated(step: StepEvents, e: fx.DecisionEvaluated) -> None:
    step.add(
        T.DECISION_EVALUATED,
        e.node_id,
        decision=e.decision_key,
        version=e.decision_version,
        evaluations=list(e.details),
    )


def _incident_raised(step: StepEvents, e: fx.IncidentRaised) -> None:
    step.add(
        T.INCIDENT_RAISED, e.node_id, incident_id=e.incident_id, kind=e.kind, message=e.message
    )


def _incident_resolved(step: StepEvents, e: fx.IncidentResolved) -> None:
    step.add(T.INCIDENT_RESOLVED, incident_id=e.incident_id)


def _instance_completed(step: StepEvents, e: fx.InstanceCompleted) -> None:
    step.add(T.INSTANCE_TERMINATED if e.terminated else T.INSTANCE_COMPLETED)


def _instance_cancelled(step: StepEvents, e: fx.InstanceCancelled) -> None:
    step.add(T.INSTANCE_CANCELLED, reason=e.reason)


# The other effects' entries (``StepEvents.build`` pairs the activity effects itself).
EFFECT_ENTRIES: dict[type, Callable[[StepEvents, Any], None]] = {
    fx.VariablesChanged: _variables,
    fx.UserTaskCreated: _task_created,
    fx.UserTaskCompleted: _task_completed,
    fx.UserTaskCancelled: _closed(T.TASK_CANCELLED),
    fx.JobCreated: _job_created,
    fx.JobCompleted: _job_completed,
    fx.JobCancelled: _closed(T.JOB_CANCELLED),
    fx.TimerFired: _timer_fired,
    fx.DecisionEvaluated: _decision_evaluated,
    fx.IncidentRaised: _incident_raised,
    fx.IncidentResolved: _incident_resolved,
    fx.InstanceCompleted: _instance_completed,
    fx.InstanceCancelled: _instance_cancelled,
}
