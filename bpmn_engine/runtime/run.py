"""One ``advance`` call in progress: the work-list loop and the token operations
behaviours use (leave, fork, end, cancel, activity completion; waits and incidents come
from ``waiting.WaitsAndIncidents``).

The loop is iterative (no recursion per step), and every operation touches only the
token, its scope and the indexes it names: no scans over all tokens on the hot path.
Processes with conditional events also dispatch variable changes to their conditions
after each step (``behaviours.conditions``); other processes pay one flag test.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import Activity, FlowNode, SequenceFlow
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.budget import Budget
from bpmn_engine.runtime.kinds import IncidentKind
from bpmn_engine.runtime.lifecycle import ActivityPhase, TokenState, move
from bpmn_engine.runtime.state import ROOT, InstanceState, Scope, Token
from bpmn_engine.runtime.storable import unstorable
from bpmn_engine.runtime.variables import (
    EVALUATION_ERRORS,
    evaluate_parameters,
    target_scope,
    visible,
    write_variables,
)
from bpmn_engine.runtime.waiting import WaitsAndIncidents

if TYPE_CHECKING:  # the tables are built from the behaviours, which build on Run
    from bpmn_engine.runtime.decisions import Provider
    from bpmn_engine.runtime.tables import ProcessTables

READY, WAITING, IN_SCOPE, JOINING, INCIDENT, LISTENING = (
    TokenState.READY,
    TokenState.WAITING,
    TokenState.IN_SCOPE,
    TokenState.JOINING,
    TokenState.INCIDENT,
    TokenState.LISTENING,
)
EXECUTE, COMPLETE, LEAVE = ActivityPhase.EXECUTE, ActivityPhase.COMPLETE, ActivityPhase.LEAVE
NO_LOOP = fx.LoopRole.NONE


class StepIncident(Exception):
    """Raised inside a behaviour to stop the token with an incident of ``kind``."""

    def __init__(self, kind: IncidentKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class Run(WaitsAndIncidents):
    """The mutable context of one ``advance``: state, effects, work list, variable changes."""

    def __init__(
        self,
        tables: ProcessTables,
        state: InstanceState,
        now: datetime,
        record_history: bool = True,
        budget: Budget | None = None,
        decisions: Provider | None = None,
    ) -> None:
        self.tables = tables
        self.decisions = decisions
        self.budget = budget if budget is not None else Budget()
        self.state = state
        self.now = now
        self.history = record_history
        self.effects: list[fx.Effect] = []
        self.work: deque[Token] = deque()
        self.changes: dict[str, dict[str, Any]] = {}
        self.previous: dict[str, dict[str, Any]] = {}
        self.phase = EXECUTE
        # conditional events only: (scope id, name, create|update) since the last dispatch,
        # and conditional waits opened since then (evaluated once when they open)
        self.variable_events: list[tuple[str, str, str]] = []
        self.conditions_opened: list[str] = []

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        """Execute ready tokens until every token waits or the instance ends."""
        work, tokens, tables = self.work, self.state.tokens, self.tables
        behaviours, nodes = tables.behaviour, tables.nodes
        history, now, emit, started = (
            self.history,
            self.now,
            self.effects.append,
            fx.ActivityStarted,
        )
        conditional, looped = tables.conditional, tables.looped
        step, instance_id = self.budget.step, self.state.instance_id
        while True:
            if conditional:
                self._dispatch_conditions()
            while work:
                token = work.popleft()
                if tokens.get(token.id) is not token or token.state != READY:
                    continue  # cancelled or parked while queued
                node = nodes[token.node_id]
                step(instance_id, node.id)
                if history:
                    loop = self.loop_role(token) if token.node_id in looped else NO_LOOP
                    emit(started(node.id, token.id, token.scope_id, node.tag, node.name, now, loop))
                self.phase = EXECUTE
                try:
                    behaviours[token.node_id].execute(self, token, node)
                except StepIncident as failure:
                    self.incident(token, node, failure.kind, failure.message)
                except EVALUATION_ERRORS as failure:
                    self.incident(token, node, IncidentKind.EXPRESSION, str(failure))
                if conditional:
                    self._dispatch_conditions()
            if not (self.state.joins and tables.inclusive_ids and self._fire_inclusive()):
                break

    def _fire_inclusive(self) -> bool:
        return self.tables.fire_pending_inclusive(self)

    def _dispatch_conditions(self) -> None:
        if self.variable_events or self.conditions_opened:
            self.tables.dispatch_conditions(self)

    def guarded(self, token: Token, node: FlowNode, action: Any, *args: Any) -> None:
        """Run ``action`` (a trigger continuation); failures become incidents."""
        self.phase = EXECUTE
        try:
            action(*args)
        except StepIncident as failure:
            self.incident(token, node, failure.kind, failure.message)
        except EVALUATION_ERRORS as failure:
            self.incident(token, node, IncidentKind.EXPRESSION, str(failure))

    def record(self, kind: type, token: Token, node: FlowNode) -> None:
        loop = self.loop_role(token) if node.id in self.tables.looped else NO_LOOP
        self.effects.append(
            kind(node.id, token.id, token.scope_id, node.tag, node.name, self.now, loop)
        )

    def loop_role(self, token: Token) -> fx.LoopRole:
        """Body or instance, for a token at a looped activity."""
        return fx.LoopRole.INSTANCE if self.is_instance(token) else fx.LoopRole.BODY

    # ------------------------------------------------------------------ tokens

    def new_token(self, node_id: str, scope_id: str, via: str | None = None) -> Token:
        tokens = self.state.tokens
        if len(tokens) >= self.budget.max_tokens:
            self.budget.check_tokens(len(tokens) + 1, self.state.instance_id, node_id)
        token = Token(self.state.next_id("t"), node_id, scope_id, READY, via)
        tokens[token.id] = token
        self.state.scopes[scope_id].tokens[token.id] = None
        return token

    def variables(self, token: Token) -> Any:
        """Variables visible to the token's node (its local scope first)."""
        return visible(self.state, token.child_scope or token.scope_id)

    def set_variables(self, scope_id: str, values: Any, local: bool = False) -> None:
        if values:
            for name, value in values.items():
                problem = unstorable(value)
                if problem is not None:
                    raise StepIncident(
                        IncidentKind.VARIABLE,
                        f"Expected variable '{name}' to be storable, but {problem}",
                    )
            if self.tables.conditional:
                self.note_variable_events(scope_id, values, local)
            write_variables(self.state, self.changes, scope_id, values, local, self.previous)

    def note_variable_events(self, scope_id: str, values: Any, local: bool) -> None:
        """Record create/update events for the conditions (before the write)."""
        scopes, events = self.state.scopes, self.variable_events
        for name in values:
            scope = scopes[scope_id] if local else target_scope(scopes, scope_id, name)
            events.append((scope.id, name, "update" if name in scope.variables else "create"))

    def leave(self, token: Token, node: FlowNode) -> None:
        """Take the node's outgoing flows (conditions evaluated; default if none match)."""
        step = self.tables.fast_next.get(node.id)
        if step is not None:
            if self.history:
                self.record(fx.ActivityCompleted, token, node)
            token.via, token.node_id = step
            move(token, READY)
            self.work.append(token)
            return
        flows = self.tables.outgoing[node.id]
        if not flows:
            if self.history:
                self.record(fx.ActivityCompleted, token, node)
            self.end_token(token)
            return
        self.phase = LEAVE
        chosen = self.select_flows(token, node, flows, first_only=False)
        if self.history:
            self.record(fx.ActivityCompleted, token, node)
        self.take(token, chosen)

    def select_flows(
        self, token: Token, node: FlowNode, flows: tuple[SequenceFlow, ...], first_only: bool
    ) -> list[SequenceFlow]:
        """Flows whose condition holds (no condition = true), the default if none does."""
        default = getattr(node, "default", None)
        variables = None
        chosen: list[SequenceFlow] = []
        for flow in flows:
            if flow.id == default:
                continue
            if flow.condition is not None:
                if variables is None:
                    variables = self.variables(token)
                if not self.tables.expression(flow.condition).evaluate(variables):
                    continue
            chosen.append(flow)
            if first_only:
                break
        if not chosen and default is not None:
            chosen.append(self.tables.flows[default])
        if not chosen:
            raise StepIncident(
                IncidentKind.NO_OUTGOING_FLOW,
                f"Expected to take an outgoing flow of {node.id}, but no condition matched "
                "and there is no default flow",
            )
        return chosen

    def take(self, token: Token, flows: list[SequenceFlow]) -> None:
        """Move the token along the first flow and new tokens along the others (fork)."""
        first = flows[0]
        token.via, token.node_id = first.id, first.target_ref
        move(token, READY)
        self.work.append(token)
        for flow in flows[1:]:
            self.work.append(self.new_token(flow.target_ref, token.scope_id, flow.id))

    def end_token(self, token: Token) -> None:
        """The token's path ends; its scope completes when it holds no more tokens (event
        subprocess listeners do not count)."""
        self.discard(token)
        scope = self.state.scopes[token.scope_id]
        tokens = self.state.tokens
        if not scope.tokens or (
            self.tables.listening and all(tokens[t].state == LISTENING for t in scope.tokens)
        ):
            self.scope_done(scope)

    def is_instance(self, token: Token) -> bool:  # a loop instance: its scope is the body
        return self.state.scopes[token.scope_id].node_id == token.node_id

    def enter_scope(self, scope_id: str, container_id: str) -> None:  # esps subscribe
        for esp in self.tables.event_subprocesses.get(container_id, ()):
            self.tables.behaviour[esp.id].listen(self, scope_id, esp)

    def end_path(self, token: Token) -> None:
        """End a token that may still hold waits or a local scope (like a none end)."""
        if token.waits:
            self.withdraw_waits(token)
        if token.child_scope is not None:
            self.drop_scope(token.child_scope)
            token.child_scope = None
        self.end_token(token)

    def discard(self, token: Token) -> None:
        del self.state.tokens[token.id]
        del self.state.scopes[token.scope_id].tokens[token.id]

    def scope_done(self, scope: Scope) -> None:
        """Every token of ``scope`` ended: complete the instance or the owning activity."""
        if scope.id == ROOT:
            if self.state.status == "active":
                for listener in list(scope.tokens):
                    self.cancel_token(self.state.tokens[listener])
                self.finish("completed")
            return
        owner = self.state.tokens[scope.owner_token]  # type: ignore[index]
        node = self.tables.nodes[owner.node_id]
        self.tables.behaviour[node.id].scope_done(self, owner, node, scope)

    def finish(self, status: str) -> None:
        state = self.state
        state.status = status
        state.ended_at = self.now.isoformat()
        if status in ("completed", "terminated"):
            self.effects.append(fx.InstanceCompleted(dict(state.variables), status == "terminated"))

    # ------------------------------------------------------------------ activities

    def complete_activity(self, token: Token, node: Activity) -> None:
        """(io output) -> completion hooks (loops, compensation log) -> close boundaries and
        local scope -> log completion -> leave."""
        self.phase = COMPLETE
        io = node.io_mapping
        if io is not None and io.outputs:
            outer = partial(visible, self.state, token.scope_id)
            values = evaluate_parameters(io.outputs, self.variables(token), outer)
            self.set_variables(token.scope_id, values)
        hooks = self.tables.on_complete.get(node.id)
        if hooks is not None:
            for hook in hooks:
                hook(self, token, node)
        if token.waits:
            self.withdraw_waits(token)
        if token.child_scope is not None:
            self.drop_scope(token.child_scope)
            token.child_scope = None
        self.state.scopes[token.scope_id].completed.append(node.id)
        self.tables.behaviour[node.id].leave(self, token, node)

    def open_local_scope(self, token: Token, node: Activity) -> Scope:
        """A scope local to the activity (I/O inputs, subprocess variables)."""
        scope_id = self.state.next_id("s")
        scope = Scope(scope_id, token.scope_id, node.id, token.id, local=True)
        self.state.scopes[scope_id] = scope
        token.child_scope = scope_id
        return scope

    def drop_scope(self, scope_id: str) -> None:
        """Remove a scope, cancelling whatever still runs in it."""
        scope = self.state.scopes.get(scope_id)
        if scope is None:
            return
        for token_id in list(scope.tokens):
            token = self.state.tokens.get(token_id)
            if token is not None:
                self.cancel_token(token)
        del self.state.scopes[scope_id]

    # ------------------------------------------------------------------ cancellation

    def cancel_token(self, token: Token) -> None:
        """Withdraw everything the token holds (waits, child scope, join slot, incident)."""
        if token.waits:
            self.withdraw_waits(token)
        if token.child_scope is not None:
            self.drop_scope(token.child_scope)
            token.child_scope = None
        if token.state == JOINING:
            self.unpark(token)
        if token.incident_id is not None:
            self.resolve_incident(token)
        if self.history and token.state != LISTENING:
            self.record(fx.ActivityCancelled, token, self.tables.nodes[token.node_id])
        self.discard(token)

    def unpark(self, token: Token) -> None:
        key = f"{token.scope_id}/{token.node_id}"
        join = self.state.joins.get(key)
        if join is None or token.via not in join:
            return
        parked = join[token.via]
        if token.id in parked:
            parked.remove(token.id)
        if not parked:
            del join[token.via]
        if not join:
            del self.state.joins[key]

    def cancel_all(self) -> None:
        """Cancel every token of the instance (root scope downwards)."""
        root = self.state.scopes[ROOT]
        for token_id in list(root.tokens):
            token = self.state.tokens.get(token_id)
            if token is not None:
                self.cancel_token(token)
        for scope_id in [s for s in self.state.scopes if s != ROOT]:
            self.drop_scope(scope_id)
        self.state.joins.clear()

    # ------------------------------------------------------------------ end of the step

    def flush(self) -> list[fx.Effect]:
        """Append the variable changes of this step and return all effects."""
        previous = self.previous
        for scope_id, changes in self.changes.items():
            self.effects.append(fx.VariablesChanged(scope_id, changes, previous.get(scope_id, {})))
        self.changes, self.previous = {}, {}
        return self.effects
