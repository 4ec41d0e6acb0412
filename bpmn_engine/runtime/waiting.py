"""Wait and incident operations of a ``Run`` (a mixin, split out of ``run.py``): open,
close and withdraw the waits a token holds; stop a token with an incident and resolve it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bpmn_engine.bpmn.model import FlowNode
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.kinds import IncidentKind, WaitKind
from bpmn_engine.runtime.lifecycle import ActivityPhase, TokenState, move
from bpmn_engine.runtime.state import Incident, InstanceState, Token, Wait

# The registry of wait kinds: the effect that closes a wait of each kind when its trigger
# consumes it (None: the trigger's own effect closes it) and when it is withdrawn.
WAIT_CLOSINGS: dict[WaitKind, tuple[type[fx.WaitClosed] | None, type[fx.WaitClosed]]] = {
    WaitKind.USER_TASK: (None, fx.UserTaskCancelled),
    WaitKind.JOB: (fx.JobCompleted, fx.JobCancelled),
    WaitKind.TIMER: (fx.TimerFired, fx.TimerCancelled),
    WaitKind.MESSAGE: (fx.SubscriptionClosed, fx.SubscriptionClosed),
    WaitKind.SIGNAL: (fx.SubscriptionClosed, fx.SubscriptionClosed),
    WaitKind.CONDITIONAL: (fx.SubscriptionClosed, fx.SubscriptionClosed),
    WaitKind.CALL_ACTIVITY: (fx.CallActivityCompleted, fx.CallActivityCancelled),
}


class WaitsAndIncidents:
    """Mixed into ``Run``: every wait is announced and closed by exactly one effect."""

    state: InstanceState
    effects: list[fx.Effect]
    phase: ActivityPhase

    drop_scope: Callable[[str], None]  # provided by Run

    # ------------------------------------------------------------------ waits

    def open_wait(
        self,
        token: Token,
        kind: WaitKind,
        node_id: str,
        owner: str,
        data: dict[str, Any] | None = None,
    ) -> Wait:
        wait = Wait(
            self.state.next_id("w"),
            kind,
            node_id,
            token.id,
            token.child_scope or token.scope_id,
            owner,
            data,
        )
        self.state.waits[wait.id] = wait
        token.waits.append(wait.id)
        return wait

    def close_wait(self, wait: Wait, *, fired: bool, effect: fx.Effect | None = None) -> None:
        """Remove an open wait and announce it (fired: consumed by its trigger; ``effect``
        replaces the default closing effect)."""
        del self.state.waits[wait.id]
        token = self.state.tokens.get(wait.token_id)
        if token is not None and wait.id in token.waits:
            token.waits.remove(wait.id)
        if effect is not None:
            self.effects.append(effect)
        else:
            on_fire, on_cancel = WAIT_CLOSINGS[WaitKind(wait.kind)]
            closing = on_fire if fired else on_cancel
            if closing is not None:
                self.effects.append(closing(wait.id))

    def withdraw_waits(self, token: Token) -> None:
        for wait_id in list(token.waits):
            wait = self.state.waits.get(wait_id)
            if wait is not None:
                self.close_wait(wait, fired=False)
        token.waits.clear()

    # ------------------------------------------------------------------ incidents

    def incident(self, token: Token, node: FlowNode, kind: IncidentKind, message: str) -> None:
        """Stop the token at its node; ``RetryIncident`` repeats the failed phase."""
        if self.state.tokens.get(token.id) is not token:
            return
        if self.phase == ActivityPhase.EXECUTE:
            self.withdraw_waits(token)
            if token.child_scope is not None:
                self.drop_scope(token.child_scope)
                token.child_scope = None
        incident = Incident(
            self.state.next_id("i"), node.id, token.id, kind, message, str(self.phase)
        )
        self.state.incidents[incident.id] = incident
        move(token, TokenState.INCIDENT)
        token.incident_id = incident.id
        self.effects.append(fx.IncidentRaised(incident.id, node.id, token.id, kind, message))

    def wait_incident(self, wait: Wait, kind: str, message: str, details: str = "") -> None:
        """Record an incident on a token that keeps waiting on ``wait`` (a failed job)."""
        token = self.state.tokens[wait.token_id]
        if token.incident_id is not None:
            return
        incident = Incident(self.state.next_id("i"), wait.node_id, token.id, kind, message, "wait")
        self.state.incidents[incident.id] = incident
        token.incident_id = incident.id
        self.effects.append(
            fx.IncidentRaised(incident.id, wait.node_id, token.id, kind, message, wait.id, details)
        )

    def resolve_incident(self, token: Token) -> Incident | None:
        incident = self.state.incidents.pop(token.incident_id or "", None)
        token.incident_id = None
        if incident is not None:
            self.effects.append(fx.IncidentResolved(incident.id))
        return incident
