"""Behaviour of call activities: the parent asks the service layer to start the child and
waits for ``CompleteCallActivity`` / ``FailCallActivity`` / ``EscalateCallActivity``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import CallActivity, VariableMapping
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.base import ActivityBehaviour
from bpmn_engine.runtime.behaviours.errors import throw_error
from bpmn_engine.runtime.behaviours.escalations import propagate_escalation
from bpmn_engine.runtime.kinds import IncidentKind, WaitKind
from bpmn_engine.runtime.lifecycle import TokenState, move
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Token, Wait
from bpmn_engine.runtime.triggers import (
    CompleteCallActivity,
    EscalateCallActivity,
    FailCallActivity,
)
from bpmn_engine.runtime.variables import evaluate, value_of

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run


class CallActivityBehaviour(ActivityBehaviour):
    """Call activity: starts the called process (by id, latest or pinned version) with the
    mapped-in variables and waits; on completion maps variables out. An error the child did
    not catch is routed to this activity's error boundaries; an escalation it did not catch
    to its escalation boundaries, then outwards (interrupting: the child is cancelled; not:
    it runs on), with the out mappings applied when something catches it (Camunda 7).
    Without ``camunda:in``/``camunda:out`` mappings the ``propagate_all_parent_variables``
    / ``propagate_all_child_variables`` flags decide (the parser sets them per dialect:
    Camunda 7 passes nothing, Zeebe everything). A child's error brings only its own
    variables into the parent (plus ``errorCodeVariable``/``errorMessageVariable`` of the
    catching boundary), never the child's scope and without ``camunda:out`` (Camunda 7, and
    Zeebe's "variables of the created instance are not propagated" on interruption)."""

    def start(self, run: Run, token: Token, node: CallActivity) -> None:  # type: ignore[override]
        variables = run.variables(token)
        called = value_of(node.called_element, variables)
        if not called:
            raise StepIncident(
                IncidentKind.CALLED_ELEMENT,
                f"Expected to call a process from {node.id}, but no called element is given",
            )
        local = run.state.scopes[token.child_scope].variables if token.child_scope else {}
        passed, business_key = map_in(node, variables, local)
        version = value_of(node.version, variables) if node.binding == "version" else None
        wait = run.open_wait(
            token, WaitKind.CALL_ACTIVITY, node.id, node.id, {"called_element": str(called)}
        )
        run.effects.append(
            fx.CallActivityStarted(
                wait.id,
                node.id,
                str(called),
                node.binding,
                None if version is None else str(version),
                passed,
                None if business_key is None else str(business_key),
                node.version_tag,
            )
        )
        move(token, TokenState.WAITING)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        node: CallActivity = run.tables.nodes[token.node_id]  # type: ignore[assignment]
        if isinstance(trigger, EscalateCallActivity):
            escalate(run, token, node, trigger)
            return
        if isinstance(trigger, FailCallActivity):
            # caught: the boundary cancels this activity (CallActivityCancelled); uncaught:
            # InstanceFailed goes up the hierarchy and the call keeps waiting (Camunda 7).
            throw_error(
                run,
                token,
                trigger.error_code,
                trigger.message,
                trigger.variables,
                from_activity=True,
            )
            return
        assert isinstance(trigger, CompleteCallActivity)
        run.close_wait(wait, fired=True)
        values, local = map_out(node, trigger.variables)
        if local:
            scope_id = token.child_scope or run.open_local_scope(token, node).id
            run.set_variables(scope_id, local, local=True)
        run.set_variables(token.child_scope or token.scope_id, values)
        move(token, TokenState.READY)
        run.complete_activity(token, node)


def escalate(run: Run, token: Token, node: CallActivity, trigger: EscalateCallActivity) -> None:
    """The child's uncaught escalation, thrown at this activity; when caught, the child's
    variables pass out as on completion (into the enclosing scope if the catch interrupted)."""
    scope_id = token.scope_id
    if not propagate_escalation(run, token, trigger.escalation_code, own=True):
        return
    values, local = map_out(node, trigger.variables)
    alive = run.state.tokens.get(token.id) is token
    if local and alive:
        local_scope = token.child_scope or run.open_local_scope(token, node).id
        run.set_variables(local_scope, local, local=True)
    run.set_variables((token.child_scope if alive else None) or scope_id, values)


def map_in(
    node: CallActivity, variables: Mapping[str, Any], local: Mapping[str, Any]
) -> tuple[dict[str, Any], Any]:
    """Variables passed to the child and its business key (``camunda:in``)."""
    if not node.in_mappings:
        return (dict(variables) if node.propagate_all_parent_variables else {}), None
    passed: dict[str, Any] = {}
    business_key = None
    for mapping in node.in_mappings:
        if mapping.business_key:
            business_key = value_of(mapping.source_expression, variables)
        else:
            _apply(mapping, variables, local, passed)
    return passed, business_key


def map_out(node: CallActivity, child: Mapping[str, Any]) -> tuple[dict, dict]:
    """(variables for the parent, variables local to the call activity) (``camunda:out``)."""
    if not node.out_mappings:
        return (dict(child) if node.propagate_all_child_variables else {}), {}
    values: dict[str, Any] = {}
    local: dict[str, Any] = {}
    for mapping in node.out_mappings:
        _apply(mapping, child, child, local if mapping.local else values)
    return values, local


def _apply(
    mapping: VariableMapping,
    variables: Mapping[str, Any],
    local: Mapping[str, Any],
    into: dict[str, Any],
) -> None:
    source = local if mapping.local else variables
    if mapping.all_variables:
        into.update(source)
    elif mapping.source_expression:
        into[mapping.target or ""] = evaluate(mapping.source_expression, variables)
    elif mapping.source is not None:
        into[mapping.target or mapping.source] = source.get(mapping.source)
