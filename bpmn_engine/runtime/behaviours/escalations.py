"""Escalation propagation: from the throwing event outwards through the scopes.

In each scope first its escalation event subprocesses, then the escalation boundary events
of the activity that owns the scope (loop instances share their body's boundaries), up to
the root. A catch without ``escalationRef`` catches every code; an exact code is preferred.
An escalation nobody catches in the instance is announced (``InstanceEscalated``): the
service layer hands it to a parent call activity (``EscalateCallActivity``), whose
boundaries and enclosing scopes are searched the same way; at the top it is ignored, as in
Camunda 7 (no incident).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmn_engine.bpmn.model import BoundaryEvent, EscalationEventDefinition
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.event_subprocesses import (
    find_event_start,
    interrupt,
    start_event_subprocess,
)
from bpmn_engine.runtime.state import Token

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run


def throw_escalation(run: Run, token: Token, code: str | None) -> bool:
    """Route an escalation thrown by ``token``; True if an interrupting catch ended it."""
    propagate_escalation(run, token, code, own=False)
    return run.state.tokens.get(token.id) is not token


def propagate_escalation(run: Run, token: Token, code: str | None, *, own: bool) -> bool:
    """Search the catch from ``token`` outwards (``own``: the token's activity's boundaries
    first, as for a call activity); True if caught, else ``InstanceEscalated``."""
    state = run.state
    current = token
    while True:
        if own and not run.is_instance(current):
            boundary = find_escalation_boundary(run, current.node_id, code)
            if boundary is not None:
                _catch_at_boundary(run, current, boundary, code)
                return True
        scope = state.scopes[current.scope_id]
        if not (own and current.node_id in run.tables.esp_ids):
            found = find_event_start(run, scope, EscalationEventDefinition, code)
            if found is not None:
                esp, start, definition = found
                if start.is_interrupting:
                    interrupt(run, scope)
                inner = start_event_subprocess(run, scope, esp, start)
                _code_variable(run, inner.id, definition, code)
                return True
        if scope.owner_token is None:
            break
        current, own = state.tokens[scope.owner_token], True
    run.effects.append(fx.InstanceEscalated(code, dict(state.variables), token.node_id))
    return False


def find_escalation_boundary(run: Run, activity_id: str, code: str | None) -> BoundaryEvent | None:
    catch_all = None
    tables = run.tables
    for boundary in tables.boundaries.get(activity_id, ()):
        definition = tables.event_definition.get(boundary.id)
        if not isinstance(definition, EscalationEventDefinition):
            continue
        caught = tables.escalation_code(definition.escalation_ref)
        if caught is None:
            catch_all = catch_all or boundary
        elif caught == code:
            return boundary
    return catch_all


def _catch_at_boundary(
    run: Run, activity: Token, boundary: BoundaryEvent, code: str | None
) -> None:
    fired = run.new_token(boundary.id, activity.scope_id)
    if boundary.cancel_activity:
        run.cancel_token(activity)
    _code_variable(run, activity.scope_id, run.tables.event_definition.get(boundary.id), code)
    run.work.append(fired)


def _code_variable(run: Run, scope_id: str, definition: object, code: str | None) -> None:
    name = getattr(definition, "escalation_code_variable", None)
    if name:
        run.set_variables(scope_id, {name: code})
