"""Behaviour of embedded subprocesses and transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmn_engine.bpmn.model import BoundaryEvent, SubProcess
from bpmn_engine.runtime.behaviours.base import ActivityBehaviour
from bpmn_engine.runtime.kinds import IncidentKind
from bpmn_engine.runtime.lifecycle import TokenState, move
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Token

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run


class SubProcessBehaviour(ActivityBehaviour):
    """Embedded subprocess: opens its own scope (local variables, I/O inputs land there) and
    starts its none start event (its event subprocesses subscribe first), or without start
    events every node without incoming flows (spec); it completes when its last token ends.
    A transaction adds cancellation (see ``compensation``)."""

    def start(self, run: Run, token: Token, node: SubProcess) -> None:  # type: ignore[override]
        start = run.tables.none_start_event(node.id)
        entries = (start.id,) if start is not None else implicit_starts(node)
        if not entries and not node.nodes:  # an empty (collapsed) subprocess: nothing to do
            run.complete_activity(token, node)
            return
        if not entries:
            raise StepIncident(
                IncidentKind.UNSUPPORTED,
                f"Expected to start subprocess {node.id}, but it has no none start event",
            )
        scope = (
            run.state.scopes[token.child_scope]
            if token.child_scope is not None
            else run.open_local_scope(token, node)
        )
        scope.local = False
        move(token, TokenState.IN_SCOPE)
        run.enter_scope(scope.id, node.id)
        for entry in entries:
            run.work.append(run.new_token(entry, scope.id))


def implicit_starts(node: SubProcess) -> tuple[str, ...]:
    """Without start events the spec starts every node without incoming flows (not boundary
    events, compensation handlers or event subprocesses); Camunda 7 rejects such models."""
    if node.start_events():
        return ()
    return tuple(
        n.id
        for n in node.nodes.values()
        if not n.incoming
        and not isinstance(n, BoundaryEvent)
        and not getattr(n, "is_for_compensation", False)
        and not getattr(n, "triggered_by_event", False)
    )


class AdHocSubProcessBehaviour(ActivityBehaviour):
    """Ad-hoc subprocess: not supported; raises an incident."""

    def start(self, run: Run, token: Token, node: SubProcess) -> None:  # type: ignore[override]
        raise StepIncident(
            IncidentKind.UNSUPPORTED,
            f"Expected to start {node.id}, but ad-hoc subprocesses are not supported",
        )
