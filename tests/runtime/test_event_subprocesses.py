"""EventSubProcessBehaviour and escalation propagation on the pure core."""

from __future__ import annotations

from datetime import timedelta

from bpmn_engine.runtime import (
    MessageSubscriptionOpened,
    SubscriptionClosed,
    ThrowBpmnError,
    UserTaskCancelled,
)
from tests.runtime.builder import ProcessBuilder, error, escalation, message, signal, timer
from tests.runtime.harness import Driver


def _with_esp(definition: object, interrupting: bool = True, inside: bool = False) -> Driver:
    b = ProcessBuilder().message("m", "Cancel").signal("s", "Alarm").error("e", "E1")
    b.escalation("x", "LATE")
    container = b
    if inside:
        sub = b.subprocess("sub")
        b.start().end().chain("start", "sub", "end")
        container = sub
        sub.start("s_start").user_task("work").end("s_end").chain("s_start", "work", "s_end")
    else:
        b.start().user_task("work").end().chain("start", "work", "end")
    esp = container.subprocess("handler", triggered_by_event=True)
    esp.start("h_start", definition, is_interrupting=interrupting).user_task("handle")
    esp.end("h_end").chain("h_start", "handle", "h_end")
    return Driver(b)


def test_interrupting_message_event_subprocess_cancels_the_scope() -> None:
    d = _with_esp(message("m"))
    effects = d.start()
    assert d.of(MessageSubscriptionOpened, effects)[0].message_name == "Cancel"
    effects = d.correlate("h_start", reason="customer")
    assert d.of(UserTaskCancelled, effects)
    assert d.variables["reason"] == "customer"
    d.complete("handle")
    assert d.state.status == "completed"
    assert d.state.completed_activities == ["handler"]


def test_non_interrupting_event_subprocess_runs_beside_the_scope() -> None:
    d = _with_esp(message("m"), interrupting=False)
    d.start()
    wait = d.wait_at("h_start")
    d.correlate("h_start")
    d.correlate("h_start")  # the subscription stays open
    assert d.wait_at("h_start") == wait
    assert len(d.state.open_waits("user_task")) == 3
    d.complete("work")
    assert d.state.status == "active"  # the scope waits for running event subprocesses
    for w in list(d.state.open_waits("user_task")):
        d.send(_complete(w.id))
    assert d.state.status == "completed"
    assert not d.state.waits


def _complete(wait_id: str) -> object:
    from bpmn_engine.runtime import CompleteUserTask

    return CompleteUserTask(wait_id)


def test_listener_subscriptions_close_when_the_scope_completes() -> None:
    d = _with_esp(signal("s"), inside=True)
    d.start()
    listener_wait = d.wait_at("h_start")
    effects = d.complete("work")
    assert any(e.wait_id == listener_wait for e in d.of(SubscriptionClosed, effects))
    assert d.state.status == "completed"


def test_timer_event_subprocess_inside_a_subprocess_interrupts_only_it() -> None:
    d = _with_esp(timer("duration", "PT1H"), inside=True)
    d.start()
    d.fire("h_start", timedelta(hours=1))
    assert d.wait_at("handle")
    d.complete("handle")
    assert d.state.status == "completed"
    assert d.state.completed_activities == ["sub"]


def test_non_interrupting_timer_cycle_event_subprocess_fires_repeatedly() -> None:
    d = _with_esp(timer("cycle", "R2/PT1H"), interrupting=False)
    d.start()
    d.fire("h_start", timedelta(hours=1))
    d.fire("h_start", timedelta(hours=1))
    assert len(d.state.open_waits("user_task")) == 3
    assert not d.state.open_waits("timer")


def test_error_event_subprocess_catches_an_error_of_its_scope() -> None:
    b = ProcessBuilder().error("e", "E1").start().service_task("call").end()
    b.chain("start", "call", "end")
    esp = b.subprocess("on_error", triggered_by_event=True)
    esp.start("h_start", error("e", error_code_variable="code")).user_task("handle")
    esp.end("h_end").chain("h_start", "handle", "h_end")
    d = Driver(b)
    d.start()
    d.send(ThrowBpmnError(d.wait_at("call"), "E1"))
    handle = d.of(__import__("bpmn_engine.runtime", fromlist=["UserTaskCreated"]).UserTaskCreated)
    assert d.state.visible_variables(handle[0].scope_id)["code"] == "E1"
    d.complete("handle")
    assert d.state.status == "completed"


def test_error_boundary_of_the_activity_wins_over_the_event_subprocess() -> None:
    b = ProcessBuilder().error("e", "E1").start().service_task("call").end().end("b_end")
    b.chain("start", "call", "end").boundary("b", "call", error("e")).chain("b", "b_end")
    esp = b.subprocess("on_error", triggered_by_event=True)
    esp.start("h_start", error("e")).user_task("handle").end("h_end")
    esp.chain("h_start", "handle", "h_end")
    d = Driver(b)
    d.start()
    d.send(ThrowBpmnError(d.wait_at("call"), "E1"))
    assert d.state.status == "completed"


def _escalating(catch: str, interrupting: bool, code_ref: str | None = "x") -> Driver:
    b = ProcessBuilder().escalation("x", "LATE").escalation("y", "OTHER").start()
    sub = b.subprocess("sub")
    sub.start("s_start").throw("raise", escalation("x")).user_task("work").end("s_end")
    sub.chain("s_start", "raise", "work", "s_end")
    b.end().chain("start", "sub", "end")
    if catch == "boundary":
        b.user_task("follow").end("f_end").chain("b", "follow", "f_end")
        b.boundary("b", "sub", escalation(code_ref), cancel_activity=interrupting)
    else:
        esp = sub.subprocess("on_esc", triggered_by_event=True)
        esp.start("h_start", escalation(code_ref), is_interrupting=interrupting)
        esp.user_task("follow").end("h_end").chain("h_start", "follow", "h_end")
    return Driver(b)


def test_escalation_boundary_interrupting_cancels_the_subprocess() -> None:
    d = _escalating("boundary", True)
    d.start()
    assert not d.state.open_waits("user_task")[1:] and d.wait_at("follow")
    assert all(w.node_id != "work" for w in d.state.waits.values())
    d.complete("follow")
    assert d.state.status == "completed"


def test_escalation_boundary_non_interrupting_lets_the_thrower_continue() -> None:
    d = _escalating("boundary", False)
    d.start()
    assert d.wait_at("follow") and d.wait_at("work")
    d.complete("work")
    d.complete("follow")
    assert d.state.status == "completed"


def test_escalation_event_subprocess_catches_inside_the_scope() -> None:
    d = _escalating("esp", False)
    d.start()
    assert d.wait_at("follow") and d.wait_at("work")
    d.complete("follow")
    d.complete("work")
    assert d.state.status == "completed"
    interrupting = _escalating("esp", True)
    interrupting.start()
    assert interrupting.wait_at("follow")
    assert all(w.node_id != "work" for w in interrupting.state.waits.values())


def test_escalation_is_matched_by_code_and_otherwise_ignored() -> None:
    d = _escalating("boundary", True, code_ref="y")
    d.start()
    assert d.wait_at("work")  # uncaught: the throw event passes on
    catch_all = _escalating("boundary", True, code_ref=None)
    catch_all.start()
    assert catch_all.wait_at("follow")


def test_escalation_end_event_propagates_outward_through_scopes() -> None:
    b = ProcessBuilder().escalation("x", "LATE").start()
    outer = b.subprocess("outer")
    inner = outer.subprocess("inner")
    inner.start("i_start").end("i_end", escalation("x")).chain("i_start", "i_end")
    outer.start("o_start").end("o_end").chain("o_start", "inner", "o_end")
    b.end().user_task("follow").end("f_end").chain("start", "outer", "end")
    b.boundary("b", "outer", escalation("x"), cancel_activity=False).chain("b", "follow", "f_end")
    d = Driver(b)
    d.start()
    assert d.wait_at("follow")
    assert "outer" in d.state.completed_activities
