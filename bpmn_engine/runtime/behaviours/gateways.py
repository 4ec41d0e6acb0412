"""Behaviours of gateways. Joins count flows, not tokens: a token parks per incoming flow
(``InstanceState.joins``) and a firing consumes one token from each flow that has one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import (
    EventBasedGateway,
    Gateway,
    InclusiveGateway,
    IntermediateCatchEvent,
    ParallelGateway,
    ReceiveTask,
)
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.base import Behaviour
from bpmn_engine.runtime.behaviours.compensation import is_detached
from bpmn_engine.runtime.behaviours.subscriptions import open_event_wait, open_message
from bpmn_engine.runtime.kinds import IncidentKind
from bpmn_engine.runtime.lifecycle import ActivityPhase, TokenState, move
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Token, Wait

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run

JOINING, READY, IN_SCOPE = TokenState.JOINING, TokenState.READY, TokenState.IN_SCOPE


class ExclusiveGatewayBehaviour(Behaviour):
    """Exclusive gateway: the first outgoing flow (document order) whose condition holds,
    else the default flow; neither is an incident, never a silent end. Merges pass through."""

    def execute(self, run: Run, token: Token, node: Gateway) -> None:  # type: ignore[override]
        self.leave(run, token, node)

    def leave(self, run: Run, token: Token, node: Gateway) -> None:  # type: ignore[override]
        flows = run.tables.outgoing[node.id]
        if len(flows) == 1 and flows[0].condition is None:
            run.leave(token, node)
            return
        chosen = run.select_flows(token, node, flows, first_only=True)
        if run.history:
            run.record(fx.ActivityCompleted, token, node)
        run.take(token, chosen)


class ParallelGatewayBehaviour(Behaviour):
    """Parallel gateway: fires when every distinct incoming flow delivered a token for the
    same scope (a second token on one flow waits for the next firing); forks on every
    outgoing flow, ignoring conditions as the spec requires."""

    def execute(self, run: Run, token: Token, node: ParallelGateway) -> None:  # type: ignore[override]
        if len(node.incoming) > 1:
            key, join = park(run, token, node)
            if len(join) < len(node.incoming):
                return
            token = consume(run, key, join, token, node)
        self.leave(run, token, node)

    def leave(self, run: Run, token: Token, node: Gateway) -> None:  # type: ignore[override]
        flows = run.tables.outgoing[node.id]
        if run.history:
            run.record(fx.ActivityCompleted, token, node)
        if not flows:
            run.end_token(token)
        else:
            run.take(token, list(flows))


class InclusiveGatewayBehaviour(Behaviour):
    """Inclusive gateway: forks on every flow whose condition holds (default if none; none
    at all is an incident). The join fires when no other token of the scope, including
    tokens waiting inside nested activities, can still reach it by a path."""

    def execute(self, run: Run, token: Token, node: InclusiveGateway) -> None:  # type: ignore[override]
        if len(node.incoming) > 1:
            key, join = park(run, token, node)
            if not can_fire(run, token.scope_id, node):
                return
            token = consume(run, key, join, token, node)
            run.phase = ActivityPhase.LEAVE
        self.leave(run, token, node)

    def leave(self, run: Run, token: Token, node: Gateway) -> None:  # type: ignore[override]
        flows = run.tables.outgoing[node.id]
        if not flows:
            run.leave(token, node)
            return
        chosen = run.select_flows(token, node, flows, first_only=False)
        if run.history:
            run.record(fx.ActivityCompleted, token, node)
        run.take(token, chosen)


class EventBasedGatewayBehaviour(Behaviour):
    """Event-based gateway: subscribes to every following catch event (or receive task);
    the first to fire wins and the other waits are withdrawn."""

    def execute(self, run: Run, token: Token, node: EventBasedGateway) -> None:  # type: ignore[override]
        nodes, definitions = run.tables.nodes, run.tables.event_definition
        for flow in run.tables.outgoing[node.id]:
            target = nodes[flow.target_ref]
            if isinstance(target, ReceiveTask):
                open_message(run, token, target.id, target.message_ref, node.id)
            elif isinstance(target, IntermediateCatchEvent) and definitions.get(target.id):
                open_event_wait(run, token, target.id, definitions[target.id], node.id)  # type: ignore[arg-type]
            else:
                raise StepIncident(
                    IncidentKind.UNSUPPORTED,
                    f"Expected a catch event after event-based "
                    f"gateway {node.id}, but found {target.tag} {target.id}",
                )
        move(token, TokenState.WAITING)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        gateway = run.tables.nodes[token.node_id]
        run.close_wait(wait, fired=True)
        run.withdraw_waits(token)
        if run.history:
            run.record(fx.ActivityCompleted, token, gateway)
        flow = next(f for f in run.tables.outgoing[gateway.id] if f.target_ref == wait.node_id)
        token.node_id, token.via = wait.node_id, flow.id
        move(token, READY)
        target = run.tables.nodes[wait.node_id]
        if run.history:
            run.record(fx.ActivityStarted, token, target)
        run.set_variables(token.scope_id, getattr(trigger, "variables", None))
        if isinstance(target, ReceiveTask):
            run.complete_activity(token, target)
        else:
            run.leave(token, target)


class ComplexGatewayBehaviour(Behaviour):
    """Complex gateway: not supported; a token reaching it raises an incident."""

    def execute(self, run: Run, token: Token, node: Gateway) -> None:  # type: ignore[override]
        raise StepIncident(
            IncidentKind.UNSUPPORTED,
            f"Expected to pass {node.id}, but complex gateways are not supported",
        )


def park(run: Run, token: Token, node: Gateway) -> tuple[str, dict[str, list[str]]]:
    """Park the token on its incoming flow at a join; returns the join's buffer."""
    key = f"{token.scope_id}/{node.id}"
    join = run.state.joins.get(key)
    if join is None:
        join = run.state.joins[key] = {}
    parked = join.get(token.via or "")
    if parked is None:
        join[token.via or ""] = [token.id]
    else:
        parked.append(token.id)
    move(token, JOINING)
    return key, join


def consume(run: Run, key: str, join: dict[str, list[str]], token: Token, node: Gateway) -> Token:
    """Take the first parked token of every flow; one continues, the others end."""
    taken: list[str] = []
    for flow_id in list(join):
        parked = join[flow_id]
        taken.append(parked.pop(0))
        if not parked:
            del join[flow_id]
    if not join:
        del run.state.joins[key]
    tokens = run.state.tokens
    survivor = token if token.id in taken else tokens[taken[0]]
    for token_id in taken:
        other = tokens[token_id]
        if other is not survivor:
            if run.history:
                run.record(fx.ActivityCompleted, other, node)
            run.discard(other)
    move(survivor, READY)
    return survivor


def can_fire(run: Run, scope_id: str, node: Gateway) -> bool:
    """No token of the scope outside this join can still reach the gateway."""
    reaching = run.tables.reaching(node.id)
    tokens = run.state.tokens
    for token_id in run.state.scopes[scope_id].tokens:
        other = tokens[token_id]
        if other.node_id == node.id:
            if other.state != JOINING:
                return False
        elif other.node_id in reaching and not _compensation_carrier(run, other):
            return False
    return True


def _compensation_carrier(run: Run, token: Token) -> bool:
    return token.state == IN_SCOPE and is_detached(run.tables, token.node_id)


def fire_pending_inclusive(run: Run) -> bool:
    """Fire one inclusive join that became free after other tokens ended; True if fired."""
    for key, join in list(run.state.joins.items()):
        scope_id, node_id = key.split("/", 1)
        if node_id not in run.tables.inclusive_ids or scope_id not in run.state.scopes:
            continue
        node: InclusiveGateway = run.tables.nodes[node_id]  # type: ignore[assignment]
        if not can_fire(run, scope_id, node):
            continue
        first = run.state.tokens[next(iter(join.values()))[0]]
        survivor = consume(run, key, join, first, node)
        run.guarded(survivor, node, _leave_inclusive, run, survivor, node)
        return True
    return False


def _leave_inclusive(run: Run, token: Token, node: InclusiveGateway) -> None:
    run.phase = ActivityPhase.LEAVE
    run.tables.behaviour[node.id].leave(run, token, node)
