"""``advance(process, state, trigger, now) -> Step``: the one entry point of the runtime.

A trigger is validated first (errors leave the state untouched), then applied, then every
ready token runs until all tokens wait or the instance ends. The state is mutated in place
and returned as ``Step.state``; effects list what the store must write. Deterministic: ids
come from counters in the state and time only from ``now``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bpmn_engine.bpmn.model import Definitions, Process
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.runtime.budget import Budget
from bpmn_engine.runtime.decisions import Provider
from bpmn_engine.runtime.errors import (
    InstanceAlreadyStartedError,
    InstanceNotActiveError,
    InstanceNotStartedError,
    NoStartEventError,
    UnknownIncidentError,
    UnknownScopeError,
    UnknownTriggerError,
    UnknownWaitError,
    WaitKindMismatchError,
)
from bpmn_engine.runtime.kinds import WaitKind
from bpmn_engine.runtime.lifecycle import TokenState, move
from bpmn_engine.runtime.modification import move_token
from bpmn_engine.runtime.run import Run
from bpmn_engine.runtime.state import ROOT, InstanceState, Wait
from bpmn_engine.runtime.tables import tables_for


@dataclass(slots=True)
class Step:
    """The result of ``advance``: ``state`` is the same object that was passed in, mutated."""

    state: InstanceState
    effects: list[fx.Effect]


# the kind of wait each wait-ending trigger may end
WAIT_KINDS: dict[type, tuple[WaitKind, ...]] = {
    tr.CompleteUserTask: (WaitKind.USER_TASK,),
    tr.CompleteJob: (WaitKind.JOB,),
    tr.ThrowBpmnError: (WaitKind.JOB,),
    tr.CorrelateMessage: (WaitKind.MESSAGE,),
    tr.TriggerSignal: (WaitKind.SIGNAL,),
    tr.FireTimer: (WaitKind.TIMER,),
    tr.CompleteCallActivity: (WaitKind.CALL_ACTIVITY,),
    tr.FailCallActivity: (WaitKind.CALL_ACTIVITY,),
    tr.EscalateCallActivity: (WaitKind.CALL_ACTIVITY,),
}


def advance(
    process: Process,
    state: InstanceState,
    trigger: tr.Trigger,
    now: datetime,
    *,
    definitions: Definitions | None = None,
    record_history: bool = True,
    budget: Budget | None = None,
    decisions: Provider | None = None,
) -> Step:
    """Apply ``trigger`` to ``state`` and run until every token waits or the instance ends.

    ``definitions`` (the parsed document holding ``process``) resolves message, signal and
    error names/codes; without it their ids are used. ``record_history=False`` skips the
    ActivityStarted/Completed/Cancelled effects. ``budget`` (one per command, shared by
    its ``advance`` calls; default limits when omitted) bounds the work: running out raises
    ``BudgetExceededError`` and leaves the state half-applied, to be discarded.
    ``decisions`` finds the deployed decisions business-rule tasks call (see
    ``runtime.decisions``); without it those tasks are jobs.
    """
    handler = _HANDLERS.get(type(trigger))
    if handler is None:
        raise UnknownTriggerError(
            f"Expected to apply a runtime trigger, but got {type(trigger).__name__}"
        )
    _check_status(state, trigger)
    run = Run(tables_for(process, definitions), state, now, record_history, budget, decisions)
    handler(run, trigger)
    run.run()
    return Step(state, run.flush())


def _check_status(state: InstanceState, trigger: tr.Trigger) -> None:
    action = type(trigger).__name__
    if state.status != "active":
        raise InstanceNotActiveError(
            f"Expected to apply {action} to instance {state.instance_id}, but it is {state.status}"
        )
    started = state.started_at is not None
    if isinstance(trigger, tr.StartInstance) and started:
        raise InstanceAlreadyStartedError(
            f"Expected to start instance {state.instance_id}, but it already started"
        )
    if not isinstance(trigger, tr.StartInstance) and not started:
        raise InstanceNotStartedError(
            f"Expected to apply {action} to instance {state.instance_id}, but it has not started"
        )


def _start(run: Run, trigger: tr.StartInstance) -> None:
    tables, state = run.tables, run.state
    if trigger.start_event_id is not None:
        node = tables.nodes.get(trigger.start_event_id)
        if node is None or node.parent_id != tables.process.id or node.tag != "startEvent":
            raise NoStartEventError(
                f"Expected to start {state.process_id} at {trigger.start_event_id}, "
                "but it is not a start event of the process"
            )
    else:
        node = tables.none_start_event(tables.process.id)
        if node is None:
            raise NoStartEventError(
                f"Expected to start {state.process_id}, but it has no none start event"
            )
    state.started_at = run.now.isoformat()
    values = dict(trigger.variables)
    initiator = getattr(node, "initiator", None)
    if initiator and (trigger.initiator is not None or initiator not in values):
        # Camunda sets the variable even when nobody is authenticated (then null)
        values[initiator] = trigger.initiator
    run.set_variables(ROOT, values, local=True)
    run.enter_scope(ROOT, tables.process.id)
    run.work.append(run.new_token(node.id, ROOT))


def _wait(run: Run, wait_id: str, trigger: tr.Trigger) -> Wait:
    wait = run.state.waits.get(wait_id)
    action = type(trigger).__name__
    if wait is None:
        raise UnknownWaitError(
            f"Expected to apply {action} to wait {wait_id}, but no such wait is open"
        )
    kinds = WAIT_KINDS.get(type(trigger))
    if kinds is not None and wait.kind not in kinds:
        raise WaitKindMismatchError(
            f"Expected to apply {action} to wait {wait_id}, but it is a {wait.kind} wait"
        )
    return wait


def _end_wait(run: Run, trigger: Any) -> None:
    wait = _wait(run, trigger.wait_id, trigger)
    token = run.state.tokens[wait.token_id]
    behaviour = run.tables.behaviour[wait.owner]
    node = run.tables.nodes[token.node_id]
    run.guarded(token, node, behaviour.on_wait, run, wait, token, trigger)


def _report_incident(run: Run, trigger: tr.ReportIncident) -> None:
    wait = _wait(run, trigger.wait_id, trigger)
    if trigger.keep_wait:
        run.wait_incident(wait, trigger.kind, trigger.message, trigger.details)
        return
    token = run.state.tokens[wait.token_id]
    run.close_wait(wait, fired=False)
    run.incident(token, run.tables.nodes[token.node_id], trigger.kind, trigger.message)


def _resolve(run: Run, trigger: tr.ResolveIncident) -> None:
    incident = run.state.incidents.get(trigger.incident_id)
    if incident is None:
        raise UnknownIncidentError(
            f"Expected to resolve incident {trigger.incident_id}, but no such incident is open"
        )
    run.resolve_incident(run.state.tokens[incident.token_id])


def _retry(run: Run, trigger: tr.RetryIncident) -> None:
    incident = run.state.incidents.get(trigger.incident_id)
    if incident is None:
        raise UnknownIncidentError(
            f"Expected to retry incident {trigger.incident_id}, but no such incident is open"
        )
    token = run.state.tokens[incident.token_id]
    run.resolve_incident(token)
    if incident.phase == "wait":
        return  # the token still waits; the service re-armed what it waits for
    move(token, TokenState.READY)
    node = run.tables.nodes[token.node_id]
    run.tables.behaviour[node.id].retry(run, token, node, incident.phase)


def _set_variables(run: Run, trigger: tr.SetVariables) -> None:
    if trigger.scope_id is not None and trigger.scope_id not in run.state.scopes:
        raise UnknownScopeError(
            f"Expected to set variables in scope {trigger.scope_id}, but no such scope exists"
        )
    run.set_variables(
        trigger.scope_id or ROOT, trigger.variables, local=trigger.scope_id is not None
    )


def _cancel(run: Run, trigger: tr.Cancel) -> None:
    run.cancel_all()
    run.finish("cancelled")
    run.effects.append(fx.InstanceCancelled(trigger.reason))


_HANDLERS: dict[type, Callable[[Run, Any], None]] = {
    tr.StartInstance: _start,
    tr.ReportIncident: _report_incident,
    tr.RetryIncident: _retry,
    tr.ResolveIncident: _resolve,
    tr.SetVariables: _set_variables,
    tr.Cancel: _cancel,
    tr.MoveToken: move_token,
    **{kind: _end_wait for kind in WAIT_KINDS},
}
