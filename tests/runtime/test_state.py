"""The state: serialisation, determinism, command errors, cancellation, long runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bpmn_engine.runtime import (
    Cancel,
    CompleteJob,
    FireTimer,
    InstanceCancelled,
    InstanceNotActiveError,
    InstanceNotStartedError,
    InstanceState,
    JobCancelled,
    StartInstance,
    SubscriptionClosed,
    TimerCancelled,
    Token,
    UnknownWaitError,
    UserTaskCancelled,
    WaitKindMismatchError,
    advance,
    lifecycle,
    new_instance,
)
from bpmn_engine.runtime.lifecycle import (
    TRANSITIONS,
    IllegalTransitionError,
    TokenState,
    can_transition,
    move,
)
from tests.runtime.builder import ProcessBuilder, message, timer
from tests.runtime.harness import NOW, Driver


def _busy() -> ProcessBuilder:
    b = ProcessBuilder().start().parallel("fork").user_task("u").service_task("j")
    b.catch("t", timer("duration", "PT1H")).catch("m", message("M")).parallel("join").end()
    for node in ("u", "j", "t", "m"):
        b.chain("fork", node, "join")
    return b.chain("start", "fork").chain("join", "end").message("M")


def test_state_round_trips_through_to_dict() -> None:
    d = Driver(_busy())
    d.start(a=[1, {"b": None}])
    d.complete("u")
    data = json.loads(json.dumps(d.state.to_dict()))
    restored = InstanceState.from_dict(data)
    assert restored.to_dict() == d.state.to_dict()
    step = advance(d.process, restored, CompleteJob(d.wait_at("j")), NOW, definitions=d.definitions)
    assert sorted(t.node_id for t in step.state.tokens.values()) == ["join", "join", "m", "t"]


def test_advance_is_deterministic() -> None:
    runs = []
    for _ in range(2):
        d = Driver(_busy())
        d.start(x=1)
        d.complete("u")
        runs.append((d.state.to_dict(), d.effects))
    assert runs[0] == runs[1]


def test_cancel_withdraws_every_wait() -> None:
    d = Driver(_busy())
    d.start()
    effects = d.send(Cancel("customer left"))
    assert d.state.status == "cancelled"
    assert len(d.of(UserTaskCancelled, effects)) == 1 and len(d.of(JobCancelled, effects)) == 1
    assert d.of(TimerCancelled, effects) and d.of(SubscriptionClosed, effects)
    assert d.of(InstanceCancelled, effects)[0].reason == "customer left"


def test_triggers_on_an_ended_instance_are_refused() -> None:
    d = Driver(_busy())
    d.start()
    d.send(Cancel())
    with pytest.raises(InstanceNotActiveError, match="but it is cancelled"):
        d.send(Cancel())


def test_triggers_before_start_are_refused() -> None:
    d = Driver(_busy())
    with pytest.raises(InstanceNotStartedError):
        d.send(FireTimer("w-1"))


def test_unknown_and_mismatched_waits_are_refused_without_touching_the_state() -> None:
    d = Driver(_busy())
    d.start()
    before = d.state.to_dict()
    with pytest.raises(UnknownWaitError):
        d.send(FireTimer("w-999"))
    with pytest.raises(WaitKindMismatchError, match="but it is a user_task wait"):
        d.send(FireTimer(d.wait_at("u")))
    assert d.state.to_dict() == before


def test_lifecycle_table_allows_only_listed_transitions() -> None:
    assert can_transition("ready", "waiting")
    assert not can_transition("joining", "waiting")
    assert set(TRANSITIONS) == set(TokenState)


def test_a_token_moves_only_along_the_lifecycle_table() -> None:
    token = Token("t-1", "a", "root")
    move(token, TokenState.JOINING)
    assert token.state == TokenState.JOINING
    with pytest.raises(IllegalTransitionError, match="from joining to waiting"):
        move(token, TokenState.WAITING)
    assert token.state == TokenState.JOINING


def test_no_runtime_module_sets_a_token_state_past_the_lifecycle() -> None:
    """Only ``lifecycle.move`` assigns ``<token>.state`` (``self.state`` is a run's state)."""
    assignment = re.compile(
        r"^\s*(?:[\w.]+\s*,\s*)*(?!self\.)\w+\.state\s*(?:,\s*[\w.]+\s*)*=(?!=)"
    )
    runtime = Path(lifecycle.__file__).parent
    offenders = [
        f"{path.name}:{number}"
        for path in runtime.rglob("*.py")
        if path.name not in ("lifecycle.py", "state.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if assignment.match(line)
    ]
    assert offenders == []


def test_ten_thousand_step_sequence_runs_without_recursion() -> None:
    b = ProcessBuilder().start()
    ids = [f"t{i}" for i in range(10_000)]
    for node_id in ids:
        b.task(node_id)
    b.end().chain("start", *ids, "end")
    process = b.build()
    state = new_instance(process, instance_id="big")
    advance(process, state, StartInstance(), NOW, record_history=False)
    assert state.status == "completed" and len(state.completed_activities) == 10_000


def test_visible_variables_merge_inner_over_outer() -> None:
    state = InstanceState("i", "p")
    state.variables.update({"a": 1, "b": 1})
    from bpmn_engine.runtime import Scope

    state.scopes["s-1"] = Scope("s-1", "root", "sub")
    state.scopes["s-1"].variables["b"] = 2
    assert state.visible_variables("s-1") == {"a": 1, "b": 2}
