"""BPMN error propagation: from the throwing activity outwards to a catching boundary.

The search starts at the activity itself (job errors, failed call activities) or at the
enclosing scope (error end events) and walks the scope chain upwards: in each scope first
its error event subprocesses, then the boundaries of the activity that owns the scope, up
to the root. The instances of a loop share the boundaries of their body. An error catch
without ``errorRef`` (or whose error has no code) catches every code; an exact code match
is preferred over such a catch-all. An error that reaches the root uncaught reports only its
own variables (those thrown with it) to a calling process: the child's scope stays private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import BoundaryEvent, ErrorEventDefinition
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.event_subprocesses import (
    find_event_start,
    interrupt,
    start_event_subprocess,
)
from bpmn_engine.runtime.state import Scope, Token

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run


def find_error_boundary(run: Run, activity_id: str, code: str | None) -> BoundaryEvent | None:
    """The boundary event of ``activity_id`` that catches ``code`` (exact match first)."""
    catch_all = None
    tables = run.tables
    for boundary in tables.boundaries.get(activity_id, ()):
        definition = tables.event_definition.get(boundary.id)
        if not isinstance(definition, ErrorEventDefinition):
            continue
        caught, _ = tables.error(definition.error_ref)
        if definition.error_ref is None or caught is None:
            catch_all = catch_all or boundary
        elif caught == code:
            return boundary
    return catch_all


def throw_error(
    run: Run,
    token: Token,
    code: str | None,
    message: str | None,
    variables: Any,
    *,
    from_activity: bool,
) -> bool:
    """Route an error thrown at ``token``; True if a boundary caught it.

    ``from_activity``: the token's own activity may catch it (job, call activity); an error
    end event's token starts the search at its enclosing subprocess.
    """
    state = run.state
    current = token
    check_own = from_activity
    while True:
        if check_own and not run.is_instance(current):
            boundary = find_error_boundary(run, current.node_id, code)
            if boundary is not None:
                catch_error(run, current, boundary, code, message, variables)
                return True
        scope = state.scopes[current.scope_id]
        if not (check_own and current.node_id in run.tables.esp_ids):
            found = find_event_start(run, scope, ErrorEventDefinition, code)
            if found is not None:
                start_error_subprocess(run, scope, found, code, message, variables)
                return True
        if scope.owner_token is None:
            break
        current = state.tokens[scope.owner_token]
        check_own = True
    run.set_variables(token.child_scope or token.scope_id, variables)
    # only the error's own variables go up to a calling process, never the whole scope
    run.effects.append(fx.InstanceFailed(code or "", message, dict(variables or {}), token.node_id))
    return False


def start_error_subprocess(
    run: Run, scope: Scope, found: Any, code: str | None, message: str | None, variables: Any
) -> None:
    """An error event subprocess catches: the scope is interrupted and the subprocess runs."""
    esp, start, definition = found
    interrupt(run, scope)
    inner = start_event_subprocess(run, scope, esp, start, variables)
    local = {}
    if definition.error_code_variable:
        local[definition.error_code_variable] = code
    if definition.error_message_variable:
        local[definition.error_message_variable] = message
    run.set_variables(inner.id, local, local=True)


def catch_error(
    run: Run,
    activity_token: Token,
    boundary: BoundaryEvent,
    code: str | None,
    message: str | None,
    variables: Any,
) -> None:
    """Interrupt the activity (and everything inside it) and continue at the boundary."""
    scope_id = activity_token.scope_id
    caught = run.new_token(boundary.id, scope_id)
    run.cancel_token(activity_token)
    definition = run.tables.event_definition.get(boundary.id)
    values = dict(variables or {})
    if isinstance(definition, ErrorEventDefinition):
        if definition.error_code_variable:
            values[definition.error_code_variable] = code
        if definition.error_message_variable:
            values[definition.error_message_variable] = message
    run.set_variables(scope_id, values)
    run.work.append(caught)
