"""Conditional events: waits that the runtime itself ends when their condition holds.

A conditional boundary event, event subprocess start or intermediate catch (also behind an
event-based gateway) holds a ``conditional`` wait. Its condition is evaluated once when the
wait opens (an intermediate catch whose condition already holds passes at once, without a
wait) and again after every step that changed variables in the scope the event listens in
(the activity's own scope for a boundary, the enclosing scope for an event subprocess or a
catch) or in a scope above it: the change must be visible to the condition, as in Camunda 7
(a local variable of a nested scope does not reach an outer event). ``camunda:variableName``
and ``camunda:variableEvents`` (create, update; no trigger deletes variables) filter which
changes count. Waits are evaluated top-down (outer scopes first, an event subprocess before
the boundaries of its scope), so an interrupting outer event withdraws the inner ones.

A condition naming an unknown variable is false (Camunda's ``tryEvaluate``); any other
evaluation failure raises an ``expression`` incident on the token holding the wait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmn_engine.bpmn.model import ConditionalEventDefinition
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.kinds import WaitKind
from bpmn_engine.runtime.lifecycle import TokenState
from bpmn_engine.runtime.state import InstanceState, Token, Wait
from bpmn_engine.runtime.variables import ExpressionError, visible

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run

CONDITIONAL = WaitKind.CONDITIONAL


def open_conditional(
    run: Run,
    token: Token,
    node_id: str,
    definition: ConditionalEventDefinition,
    owner: str,
    *,
    evaluate: bool = True,
) -> Wait:
    """Open the wait of a conditional event; ``evaluate`` checks it once after this step."""
    wait = run.open_wait(token, CONDITIONAL, node_id, owner, {"held": False})
    run.effects.append(
        fx.ConditionalSubscriptionOpened(wait.id, node_id, definition.condition or "")
    )
    if evaluate:
        run.conditions_opened.append(wait.id)
    return wait


def condition_holds(run: Run, definition: ConditionalEventDefinition, scope_id: str) -> bool:
    """The condition's truth seen from ``scope_id``; unknown variables make it false."""
    if not definition.condition:
        return False
    expression = run.tables.expression(definition.condition)
    try:
        return bool(expression.evaluate(visible(run.state, scope_id)))
    except ExpressionError as failure:
        if failure.reason.startswith("unknown variable"):
            return False
        raise


def dispatch_conditions(run: Run) -> None:
    """Evaluate the conditional waits that the variable changes and openings since the
    last dispatch concern, outer scopes first; fire those whose condition became true."""
    events, fresh = run.variable_events, set(run.conditions_opened)
    run.variable_events, run.conditions_opened = [], []
    state = run.state
    if events:
        candidates = [w for w in state.waits.values() if w.kind == CONDITIONAL]
    else:
        candidates = [state.waits[i] for i in fresh if i in state.waits]
    for _, wait in sorted((_order(state, w), w) for w in candidates):
        if wait.id not in state.waits:
            continue  # withdrawn by an outer event that fired first
        token = state.tokens[wait.token_id]
        definition = run.tables.event_definition[wait.node_id]
        chain = _chain(state, token.child_scope or token.scope_id)
        if wait.id in fresh or _concerned(events, set(chain), definition):  # type: ignore[arg-type]
            node = run.tables.nodes[token.node_id]
            run.guarded(token, node, _evaluate, run, wait, token, definition, chain[0])


def _evaluate(
    run: Run, wait: Wait, token: Token, definition: ConditionalEventDefinition, scope_id: str
) -> None:
    """Fire the wait when its condition turned true: the spec wants the condition to become
    false again before a non-interrupting event fires once more (``held``)."""
    if not condition_holds(run, definition, scope_id):
        wait.data["held"] = False
        return
    if wait.data.get("held"):
        return
    wait.data["held"] = True
    run.tables.behaviour[wait.owner].on_wait(run, wait, token, None)


def _concerned(
    events: list[tuple[str, str, str]], chain: set[str], definition: ConditionalEventDefinition
) -> bool:
    name, kinds = definition.variable_name, definition.variable_events
    for scope_id, variable, kind in events:
        if scope_id in chain and name in (None, variable) and (not kinds or kind in kinds):
            return True
    return False


def _chain(state: InstanceState, scope_id: str | None) -> list[str]:
    """``scope_id`` and its ancestors, innermost first."""
    chain = []
    while scope_id is not None:
        chain.append(scope_id)
        scope_id = state.scopes[scope_id].parent_id
    return chain


def _order(state: InstanceState, wait: Wait) -> tuple[int, int, int]:
    token = state.tokens[wait.token_id]
    depth = len(_chain(state, token.child_scope or token.scope_id))
    attached = 0 if token.state == TokenState.LISTENING else 1
    return depth, attached, int(wait.id.rsplit("-", 1)[1])
