"""Property: random sequences of legal triggers never break the state's invariants
(no token at an unknown node, waits in state == waits announced and not closed, ended
instances hold no tokens or waits, state round-trips through JSON)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bpmn_engine.bpmn import model as m
from bpmn_engine.runtime import (
    Cancel,
    CompleteCallActivity,
    CompleteJob,
    CompleteUserTask,
    CorrelateMessage,
    FailCallActivity,
    FireTimer,
    RetryIncident,
    SetVariables,
    ThrowBpmnError,
    Trigger,
    TriggerSignal,
)
from tests.runtime.builder import ProcessBuilder, error, message, signal, timer
from tests.runtime.harness import Driver


def _parallel_waits() -> ProcessBuilder:
    b = ProcessBuilder().start().parallel("fork").user_task("u").service_task("j")
    b.catch("t", timer("duration", "PT1H")).catch("m", message("M")).parallel("join")
    b.inclusive("split").user_task("x").user_task("y").inclusive("merge").end()
    for node in ("u", "j", "t", "m"):
        b.chain("fork", node, "join")
    b.chain("start", "fork").chain("join", "split").flow("split", "x", "flag")
    b.flow("split", "y", "not flag").chain("x", "merge").chain("y", "merge", "end")
    b.boundary("u_timer", "u", timer("cycle", "R2/PT1H"), cancel_activity=False)
    b.end("u_timer_end").chain("u_timer", "u_timer_end")
    return b.message("M")


def _nested_errors() -> ProcessBuilder:
    b = ProcessBuilder().start().xor("route", default="f_sub").end().error("E", "E1")
    sub = b.subprocess("sub")
    sub.start("s_start").service_task("job").user_task("inner").end("s_end")
    sub.chain("s_start", "job", "inner", "s_end")
    sub.boundary("inner_msg", "inner", message("M")).end("inner_msg_end")
    sub.chain("inner_msg", "inner_msg_end")
    b.boundary("sub_err", "sub", error("E")).task("handle").end("h_end")
    b.boundary("sub_sig", "sub", signal("S")).end("sig_end")
    b.call_activity("call", "child").boundary("call_err", "call", error())
    b.end("c_end").end("ce_end").event_gateway("gw").catch("gw_t", timer("duration", "PT1M"))
    b.catch("gw_m", message("M")).end("g1").end("g2")
    b.flow("start", "route").flow("route", "sub", None, "f_sub").flow("route", "gw", "go")
    b.chain("sub", "call", "c_end").chain("sub_err", "handle", "h_end")
    b.chain("sub_sig", "sig_end").chain("call_err", "ce_end")
    b.chain("gw", "gw_t", "g1").chain("gw", "gw_m", "g2")
    return b.message("M").signal("S")


DIAGRAMS = [_parallel_waits, _nested_errors]


def _legal_triggers(d: Driver) -> list[Trigger]:
    triggers: list[Trigger] = []
    for wait in sorted(d.state.waits.values(), key=lambda w: int(w.id[2:])):
        if wait.kind == "user_task":
            triggers.append(CompleteUserTask(wait.id, {"flag": True}))
        elif wait.kind == "job":
            triggers += [CompleteJob(wait.id, {"n": 1}), ThrowBpmnError(wait.id, "E1")]
        elif wait.kind == "timer":
            triggers.append(FireTimer(wait.id))
        elif wait.kind == "message":
            triggers.append(CorrelateMessage(wait.id))
        elif wait.kind == "signal":
            triggers.append(TriggerSignal(wait.id))
        elif wait.kind == "call_activity":
            triggers += [CompleteCallActivity(wait.id, {"r": 1}), FailCallActivity(wait.id, "E9")]
    triggers += [RetryIncident(i) for i in d.state.incidents]
    return triggers


@settings(max_examples=150, deadline=None)
@given(
    diagram=st.sampled_from(DIAGRAMS),
    go=st.booleans(),
    choices=st.lists(st.integers(min_value=0, max_value=1000), max_size=25),
    cancel_at=st.integers(min_value=0, max_value=40),
)
def test_random_legal_triggers_keep_the_invariants(
    diagram: object,
    go: bool,
    choices: list[int],
    cancel_at: int,
) -> None:
    d = Driver(diagram())  # type: ignore[operator]
    d.start(flag=go, go=go)
    for step, choice in enumerate(choices):
        if d.state.status != "active":
            break
        if step == cancel_at:
            d.send(Cancel("property"))
            break
        options = _legal_triggers(d)
        if not options:
            d.send(SetVariables({"idle": step}))
            continue
        d.send(options[choice % len(options)])
    if d.state.status != "active":
        assert not d.state.tokens and not d.state.waits and not d.open


def test_tokens_only_sit_at_known_nodes_after_a_long_random_walk() -> None:
    d = Driver(_parallel_waits())
    d.start(flag=False)
    for _ in range(30):
        options = _legal_triggers(d)
        if d.state.status != "active" or not options:
            break
        d.send(options[0])
    assert all(t.node_id in d.process.all_nodes for t in d.state.tokens.values())
    assert isinstance(d.process.all_nodes["u"], m.UserTask)
