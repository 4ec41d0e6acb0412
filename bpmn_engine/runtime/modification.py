"""Process instance modification: move control from one element to another.

Camunda's "cancel activity instance, start before activity": the tokens at the source
are cancelled with everything they hold (waits, local scopes, join slots, incidents),
then one new token starts before the target in the scope whose container holds the
target. Cancelling never completes the scope, because the new token arrives in the same
step; the target must therefore sit in a scope that is active.
"""

from __future__ import annotations

from bpmn_engine.runtime import triggers as tr
from bpmn_engine.runtime.errors import ModificationError
from bpmn_engine.runtime.lifecycle import TokenState
from bpmn_engine.runtime.run import Run
from bpmn_engine.runtime.state import Token

UNSTARTABLE_TAGS = frozenset({"boundaryEvent"})


def move_token(run: Run, trigger: tr.MoveToken) -> None:
    """Validate the move completely, then cancel the source tokens and start the target."""
    state, tables = run.state, run.tables
    moving = [
        token
        for token in state.tokens.values()
        if token.node_id == trigger.cancel_node_id and token.state != TokenState.LISTENING
    ]
    if not moving:
        raise ModificationError(
            f"Expected to move a token from {trigger.cancel_node_id} of instance "
            f"{state.instance_id}, but no token is there"
        )
    target = tables.nodes.get(trigger.start_before_node_id)
    if target is None or target.tag in UNSTARTABLE_TAGS:
        raise ModificationError(
            f"Expected to start before {trigger.start_before_node_id}, but the process has "
            "no flow node of that id a token can start at"
        )
    scope_id = _target_scope(run, moving[0], target.parent_id)
    for token in moving:
        if state.tokens.get(token.id) is token:
            run.cancel_token(token)
    if scope_id not in state.scopes:
        raise ModificationError(
            f"Expected the scope of {target.id} to stay active, but moving the token from "
            f"{trigger.cancel_node_id} ended it"
        )
    run.work.append(run.new_token(target.id, scope_id))


def _target_scope(run: Run, source: Token, container_id: str | None) -> str:
    """The scope of ``source`` or of an ancestor whose container holds the target (the
    root scope for the process, a subprocess's own scope for its inner nodes); otherwise
    the only active scope of that container."""
    scopes = run.state.scopes
    scope_id: str | None = source.scope_id
    while scope_id is not None:
        scope = scopes[scope_id]
        if scope.node_id == container_id and not scope.local:
            return scope_id
        scope_id = scope.parent_id
    candidates = [s.id for s in scopes.values() if s.node_id == container_id and not s.local]
    if len(candidates) == 1:
        return candidates[0]
    raise ModificationError(
        f"Expected one active scope of {container_id} to start a token in, "
        f"but found {len(candidates)}"
    )
