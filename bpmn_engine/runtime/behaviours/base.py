"""Behaviour protocol and the activity lifecycle shared by tasks, subprocesses and calls.

Activity lifecycle: enter -> open boundary subscriptions -> (io input into a local scope)
-> start (the kind's work; it completes at once or waits) -> ... -> complete: (io output)
-> close boundaries and local scope -> log completion -> leave. Loop characteristics
(multi-instance, standard loop) slot in through ``LOOP_BEHAVIOURS`` at ``execute``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import Activity, FlowNode
from bpmn_engine.runtime.behaviours.subscriptions import open_boundaries
from bpmn_engine.runtime.errors import WaitKindMismatchError
from bpmn_engine.runtime.kinds import IncidentKind
from bpmn_engine.runtime.lifecycle import ActivityPhase, TokenState, move
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Scope, Token, Wait
from bpmn_engine.runtime.variables import evaluate_parameters

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run

# Loop characteristics class -> behaviour with ``execute(run, token, node, inner)``; filled
# by the multi-instance / standard loop issue. Without an entry the token raises an incident.
LOOP_BEHAVIOURS: dict[type, Any] = {}


class Behaviour:
    """Base behaviour: a node that passes the token straight through."""

    def execute(self, run: Run, token: Token, node: FlowNode) -> None:
        run.leave(token, node)

    def leave(self, run: Run, token: Token, node: FlowNode) -> None:
        run.leave(token, node)

    def scope_done(self, run: Run, owner: Token, node: FlowNode, scope: Scope) -> None:
        """The last token of ``scope`` (opened by ``owner`` at this node) ended."""
        run.guarded(owner, node, run.complete_activity, owner, node)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        """A trigger ended ``wait`` (whose ``owner`` is this node)."""
        raise WaitKindMismatchError(
            f"Expected to apply {type(trigger).__name__} to wait {wait.id}, "
            f"but it is a {wait.kind} wait at {wait.node_id}"
        )

    def retry(self, run: Run, token: Token, node: FlowNode, phase: str) -> None:
        """Repeat the phase an incident stopped (``RetryIncident``)."""
        move(token, TokenState.READY)
        if phase == ActivityPhase.EXECUTE:
            run.work.append(token)
        elif phase == ActivityPhase.COMPLETE and isinstance(node, Activity):
            run.guarded(token, node, run.complete_activity, token, node)
        else:
            run.guarded(token, node, self._leave_again, run, token, node)

    def _leave_again(self, run: Run, token: Token, node: FlowNode) -> None:
        run.phase = ActivityPhase.LEAVE
        self.leave(run, token, node)


class ActivityBehaviour(Behaviour):
    """Template for activities: subclasses implement ``start`` (and ``on_wait``)."""

    def execute(self, run: Run, token: Token, node: Activity) -> None:  # type: ignore[override]
        if node.loop is not None:
            self.execute_loop(run, token, node)
        elif node.io_mapping is None and not node.boundary_event_ids:
            self.start(run, token, node)  # the common case, without the enter() frame
        else:
            self.enter(run, token, node)

    def leave(self, run: Run, token: Token, node: Activity) -> None:  # type: ignore[override]
        if node.loop is None:
            run.leave(token, node)
        else:  # an instance of the loop reports to its body; the body leaves
            LOOP_BEHAVIOURS[type(node.loop)].leave(run, token, node)

    def scope_done(self, run: Run, owner: Token, node: Activity, scope: Scope) -> None:  # type: ignore[override]
        if node.loop is not None and "loop" in scope.data:
            LOOP_BEHAVIOURS[type(node.loop)].body_done(run, owner, node)
        else:
            run.guarded(owner, node, run.complete_activity, owner, node)

    def execute_loop(self, run: Run, token: Token, node: Activity) -> None:
        loop = LOOP_BEHAVIOURS.get(type(node.loop))
        if loop is None:
            raise StepIncident(
                IncidentKind.UNSUPPORTED,
                f"Expected to execute {node.id}, but {getattr(node.loop, 'tag', 'its loop')} "
                "is not supported yet",
            )
        loop.execute(run, token, node, self)

    def enter(self, run: Run, token: Token, node: Activity) -> None:
        """Boundaries -> io input -> start (one activity instance)."""
        boundaries = run.tables.boundaries.get(node.id)
        if boundaries:
            open_boundaries(run, token, node, boundaries)
        io = node.io_mapping
        if io is not None and io.inputs:
            values = evaluate_parameters(io.inputs, run.variables(token))
            scope = run.open_local_scope(token, node)
            run.set_variables(scope.id, values, local=True)
        self.start(run, token, node)

    def start(self, run: Run, token: Token, node: Activity) -> None:
        run.complete_activity(token, node)
