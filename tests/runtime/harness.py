"""A test driver around ``advance`` that tracks open waits from effects and checks the
state's invariants after every step."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bpmn_engine.bpmn import model as m
from bpmn_engine.runtime import (
    CLOSING_EFFECTS,
    OPENING_EFFECTS,
    CompleteJob,
    CompleteUserTask,
    CorrelateMessage,
    Effect,
    FireTimer,
    InstanceState,
    StartInstance,
    Trigger,
    TriggerSignal,
    advance,
    new_instance,
)
from bpmn_engine.runtime.decisions import Provider
from tests.runtime.builder import ProcessBuilder

NOW = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


class Driver:
    def __init__(
        self,
        source: ProcessBuilder | m.Definitions,
        process_id: str | None = None,
        *,
        business_key: str | None = None,
        record_history: bool = True,
        decisions: Provider | None = None,
    ) -> None:
        self.definitions = source.definitions() if isinstance(source, ProcessBuilder) else source
        processes = self.definitions.processes
        self.process = processes[process_id] if process_id else next(iter(processes.values()))
        self.state = new_instance(self.process, instance_id="i-1", business_key=business_key)
        self.effects: list[Effect] = []
        self.open: dict[str, Effect] = {}
        self.now = NOW
        self.record_history = record_history
        self.decisions = decisions

    # ------------------------------------------------------------------ sending

    def send(self, trigger: Trigger) -> list[Effect]:
        step = advance(
            self.process,
            self.state,
            trigger,
            self.now,
            definitions=self.definitions,
            record_history=self.record_history,
            decisions=self.decisions,
        )
        assert step.state is self.state
        self.effects.extend(step.effects)
        for effect in step.effects:
            if isinstance(effect, OPENING_EFFECTS):
                assert effect.wait_id not in self.open
                self.open[effect.wait_id] = effect
            elif isinstance(effect, CLOSING_EFFECTS):
                assert effect.wait_id in self.open, effect
                del self.open[effect.wait_id]
        check_invariants(self.process, self.state, self.open)
        return step.effects

    def start(self, **variables: Any) -> list[Effect]:
        return self.send(StartInstance(variables=variables))

    def wait_at(self, node_id: str, kind: str | None = None) -> str:
        found = [
            w.id
            for w in self.state.waits.values()
            if w.node_id == node_id and (kind is None or w.kind == kind)
        ]
        assert len(found) == 1, f"waits at {node_id}: {found} (open: {self.describe()})"
        return found[0]

    def complete(self, node_id: str, **variables: Any) -> list[Effect]:
        return self.send(CompleteUserTask(self.wait_at(node_id, "user_task"), variables))

    def complete_job(self, node_id: str, **variables: Any) -> list[Effect]:
        return self.send(CompleteJob(self.wait_at(node_id, "job"), variables))

    def fire(self, node_id: str, advance_by: timedelta | None = None) -> list[Effect]:
        if advance_by is not None:
            self.now += advance_by
        return self.send(FireTimer(self.wait_at(node_id, "timer")))

    def correlate(self, node_id: str, **variables: Any) -> list[Effect]:
        return self.send(CorrelateMessage(self.wait_at(node_id, "message"), variables))

    def signal(self, node_id: str, **variables: Any) -> list[Effect]:
        return self.send(TriggerSignal(self.wait_at(node_id, "signal"), variables))

    # ------------------------------------------------------------------ reading

    def of(self, kind: type, effects: list[Effect] | None = None) -> list[Any]:
        return [e for e in (self.effects if effects is None else effects) if isinstance(e, kind)]

    @property
    def variables(self) -> dict[str, Any]:
        return self.state.variables

    def token_nodes(self) -> list[str]:
        return sorted(t.node_id for t in self.state.tokens.values())

    def describe(self) -> list[tuple[str, str, str]]:
        return [(w.id, w.kind, w.node_id) for w in self.state.waits.values()]


def check_invariants(process: m.Process, state: InstanceState, open_waits: dict) -> None:
    """Token conservation, waits in state == waits announced and not closed, etc."""
    for token in state.tokens.values():
        assert token.node_id in process.all_nodes, token.node_id
        assert token.id in state.scopes[token.scope_id].tokens
        for wait_id in token.waits:
            assert state.waits[wait_id].token_id == token.id
        if token.incident_id is not None:
            assert state.incidents[token.incident_id].token_id == token.id
    for scope in state.scopes.values():
        for token_id in scope.tokens:
            assert state.tokens[token_id].scope_id == scope.id
        if scope.parent_id is not None:
            assert scope.parent_id in state.scopes
    for wait in state.waits.values():
        assert wait.id in state.tokens[wait.token_id].waits
    assert set(state.waits) == set(open_waits), (sorted(state.waits), sorted(open_waits))
    if state.status != "active":
        assert not state.tokens and not state.waits and not state.joins
    round_trip = InstanceState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert round_trip.to_dict() == state.to_dict()
