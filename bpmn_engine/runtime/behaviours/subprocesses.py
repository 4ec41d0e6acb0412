"""Behaviour of embedded subprocesses (and transactions, which add no semantics yet)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmn_engine.bpmn.model import SubProcess
from bpmn_engine.runtime.behaviours.base import ActivityBehaviour
from bpmn_engine.runtime.lifecycle import TokenState
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Token

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run


class SubProcessBehaviour(ActivityBehaviour):
    """Embedded subprocess: opens its own scope (local variables, I/O inputs land there) and
    starts its none start event; it completes when its last token ends. Event subprocesses
    are not entered by flow (their triggering is a later issue)."""

    def start(self, run: Run, token: Token, node: SubProcess) -> None:  # type: ignore[override]
        start = run.tables.none_start_event(node.id)
        if start is None:
            raise StepIncident(
                "unsupported",
                f"Expected to start subprocess {node.id}, but it has no none start event",
            )
        scope = (
            run.state.scopes[token.child_scope]
            if token.child_scope is not None
            else run.open_local_scope(token, node)
        )
        scope.local = False
        token.state = TokenState.IN_SCOPE
        run.work.append(run.new_token(start.id, scope.id))


class AdHocSubProcessBehaviour(ActivityBehaviour):
    """Ad-hoc subprocess: not supported; raises an incident."""

    def start(self, run: Run, token: Token, node: SubProcess) -> None:  # type: ignore[override]
        raise StepIncident(
            "unsupported", f"Expected to start {node.id}, but ad-hoc subprocesses are not supported"
        )
