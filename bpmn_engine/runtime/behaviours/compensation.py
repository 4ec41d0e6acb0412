"""Compensation (sagas) and transaction cancellation.

Every completion of a compensable activity (one with a compensation handler, or a
subprocess around one) is logged in its scope with a snapshot of its local variables and,
for subprocesses, their own log. A compensation throw takes the completed entries of its
scope (all, or those of ``activityRef``), removes them (each handler runs once) and runs
the handlers one after the other in reverse order of completion, each in a scope holding
the snapshot. Subprocesses without a handler compensate their inner completions; a
compensation event subprocess is the handler of its subprocess.

``waitForCompletion`` (spec): true (default) holds the throwing token until the last
handler ended; false lets an intermediate throw continue at once while a detached carrier
token (at the throw event, outside the flow: no join waits for it) runs the handlers. The
carrier counts in its scope, so a scope (or the instance) whose other paths end completes
only when the handlers ended; interrupting the scope cancels them like any other work. An
end event ends its path either way. Deviations: Camunda 7 starts the handlers
concurrently and ignores ``waitForCompletion="false"`` (it always waits); here they run one
at a time, as the spec's reverse-order rule reads, and false is honoured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import (
    Activity,
    CancelEventDefinition,
    CompensateEventDefinition,
    FlowNode,
    IntermediateThrowEvent,
)
from bpmn_engine.runtime.behaviours.event_subprocesses import start_event_subprocess
from bpmn_engine.runtime.kinds import IncidentKind
from bpmn_engine.runtime.lifecycle import TokenState, move
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Scope, Token

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run
    from bpmn_engine.runtime.tables import ProcessTables

LOG = "compensation"


def record_completion(run: Run, token: Token, node: Activity) -> None:
    """Completion hook of compensable activities: log the completion in its scope."""
    scopes = run.state.scopes
    scope = scopes[token.scope_id]
    if scope.node_id == node.id:  # a loop instance: logged beside its body
        scope = scopes[scope.parent_id]  # type: ignore[index]
    elif node.loop is not None:
        return  # the body itself: its instances are logged one by one
    child = scopes.get(token.child_scope) if token.child_scope else None
    entry = {
        "node": node.id,
        "vars": dict(child.variables) if child is not None else {},
        "nested": list(child.data.get(LOG, ())) if child is not None else [],
    }
    scope.data.setdefault(LOG, []).append(entry)


def compensate(
    run: Run, token: Token, node: FlowNode, definition: CompensateEventDefinition
) -> bool:
    """Start compensating for a throw event; False if there is nothing to compensate
    (True: the token waits for the handlers, or already went on when they run detached)."""
    activity_ref = definition.activity_ref
    scopes = run.state.scopes
    scope = scopes[token.scope_id]
    if scope.node_id in run.tables.esp_ids:  # thrown in an event subprocess: its parent
        scope = scopes[scope.parent_id]  # type: ignore[index]
    log = scope.data.get(LOG, [])
    chosen = [e for e in log if activity_ref is None or e["node"] == activity_ref]
    rest = [e for e in log if activity_ref is not None and e["node"] != activity_ref]
    if rest:
        scope.data[LOG] = rest
    else:
        scope.data.pop(LOG, None)
    steps = plan(run.tables, chosen)
    if not steps or not is_detached(run.tables, node.id):
        return run_steps(run, token, node, scope.id, steps)
    run_steps(run, run.new_token(node.id, token.scope_id), node, scope.id, steps)
    run.leave(token, node)
    return True


def is_detached(tables: ProcessTables, node_id: str) -> bool:
    """An intermediate compensation throw that does not wait (``waitForCompletion=false``):
    its tokens that own a handler scope are carriers, not positions in the flow."""
    definition = tables.event_definition.get(node_id)
    return (
        isinstance(definition, CompensateEventDefinition)
        and not definition.wait_for_completion
        and isinstance(tables.nodes[node_id], IntermediateThrowEvent)
    )


def cancel_transaction(run: Run, token: Token, node: FlowNode) -> None:
    """Cancel end event: cancel the rest of the transaction, compensate what it completed,
    then leave the transaction by its cancel boundary event."""
    scope = run.state.scopes[token.scope_id]
    for other in list(scope.tokens):
        if other != token.id:
            run.cancel_token(run.state.tokens[other])
    steps = plan(run.tables, scope.data.pop(LOG, []))
    if not run_steps(run, token, node, scope.id, steps):
        exit_transaction(run, token, node)


def exit_transaction(run: Run, token: Token, node: FlowNode) -> None:
    scope = run.state.scopes[token.scope_id]
    owner = run.state.tokens[scope.owner_token] if scope.owner_token else None
    boundary = None
    if owner is not None:
        boundary = next(
            (
                b
                for b in run.tables.boundaries.get(owner.node_id, ())
                if isinstance(run.tables.event_definition.get(b.id), CancelEventDefinition)
            ),
            None,
        )
    if owner is None or boundary is None:
        raise StepIncident(
            IncidentKind.CANCEL,
            f"Expected cancel end event {node.id} to leave a transaction by its cancel "
            "boundary event, but there is none",
        )
    fired = run.new_token(boundary.id, owner.scope_id)
    run.cancel_token(owner)
    run.work.append(fired)


def plan(tables: ProcessTables, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The handler runs for ``entries``, latest completion first."""
    steps: list[dict[str, Any]] = []
    for entry in reversed(entries):
        node_id = entry["node"]
        handler = tables.compensation_handlers.get(node_id)
        if handler is not None:
            steps.append({"handler": handler, "vars": entry["vars"]})
        elif node_id in tables.compensation_esps:
            steps.append(
                {
                    "esp": tables.compensation_esps[node_id],
                    "container": node_id,
                    "vars": entry["vars"],
                    "log": entry["nested"],
                }
            )
        else:
            for step in plan(tables, entry["nested"]):
                steps.append({**step, "vars": {**entry["vars"], **step["vars"]}})
    return steps


def run_steps(
    run: Run, token: Token, node: FlowNode, parent_id: str, steps: list[dict[str, Any]]
) -> bool:
    """Run the first step in a scope owned by ``token``; False if there is none."""
    if not steps:
        return False
    step = steps[0]
    scope = Scope(run.state.next_id("s"), parent_id, step.get("container", node.id), token.id)
    scope.variables = dict(step["vars"])
    scope.data["steps"] = steps[1:]
    if step.get("log"):
        scope.data[LOG] = step["log"]
    run.state.scopes[scope.id] = scope
    token.child_scope = scope.id
    move(token, TokenState.IN_SCOPE)
    if "handler" in step:
        run.work.append(run.new_token(step["handler"], scope.id))
    else:
        esp = run.tables.nodes[step["esp"]]
        start = esp.start_events()[0]  # type: ignore[attr-defined]
        start_event_subprocess(run, scope, esp, start)  # type: ignore[arg-type]
    return True


def step_done(run: Run, token: Token, node: FlowNode, scope: Scope) -> None:
    """A handler's scope ended: run the next step, or let the throw event continue."""
    steps = scope.data.get("steps", [])
    run.drop_scope(scope.id)
    token.child_scope = None
    if run_steps(run, token, node, scope.parent_id or "", steps):
        return
    if is_detached(run.tables, node.id):
        run.end_token(token)  # the carrier: the throw event went on long ago
        return
    move(token, TokenState.READY)
    definition = run.tables.event_definition.get(node.id)
    if isinstance(definition, CancelEventDefinition):
        run.guarded(token, node, exit_transaction, run, token, node)
    else:
        run.guarded(token, node, run.leave, token, node)
