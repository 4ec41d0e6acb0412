"""Conformance: start, end, intermediate and boundary events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_engine.bpmn import model as m
from bpmn_engine.runtime import (
    ActivityCancelled,
    CompleteJob,
    IncidentRaised,
    InstanceCompleted,
    InstanceFailed,
    JobCancelled,
    MessageSubscriptionOpened,
    NoStartEventError,
    SignalSubscriptionOpened,
    SignalThrown,
    StartInstance,
    ThrowBpmnError,
    TimerFired,
    TimerScheduled,
    UserTaskCancelled,
)
from tests.runtime.builder import ProcessBuilder, error, link, message, signal, terminate, timer
from tests.runtime.harness import Driver


def test_start_instance_at_a_named_message_start_event() -> None:
    b = ProcessBuilder().start("plain").start("by_msg", message("M")).task("t").end()
    b.chain("plain", "end").chain("by_msg", "t", "end").message("M")
    d = Driver(b)
    d.send(StartInstance({"x": 1}, start_event_id="by_msg"))
    assert d.state.completed_activities == ["t"]


def test_start_instance_at_an_unknown_node_is_refused() -> None:
    d = Driver(ProcessBuilder().start().end().chain("start", "end"))
    with pytest.raises(NoStartEventError, match="Expected to start p at nope"):
        d.send(StartInstance(start_event_id="nope"))
    assert d.state.started_at is None


def test_initiator_is_stored_in_the_variable_the_start_event_names() -> None:
    b = ProcessBuilder().start(initiator="starter").user_task("u").end()
    d = Driver(b.chain("start", "u", "end"))
    d.send(StartInstance(initiator="ann"))
    assert d.variables == {"starter": "ann"}


def test_initiator_variable_is_null_when_nobody_is_authenticated() -> None:
    b = ProcessBuilder().start(initiator="starter").user_task("u").end()
    d = Driver(b.chain("start", "u", "end"))
    d.send(StartInstance())
    assert d.variables == {"starter": None}


def test_initiator_variable_given_at_start_is_kept_without_an_authenticated_user() -> None:
    b = ProcessBuilder().start(initiator="starter").user_task("u").end()
    d = Driver(b.chain("start", "u", "end"))
    d.send(StartInstance(variables={"starter": "bob"}))
    assert d.variables == {"starter": "bob"}


def test_timer_intermediate_catch_waits_for_its_duration() -> None:
    b = ProcessBuilder().start().catch("wait", timer("duration", "PT10M")).end()
    d = Driver(b.chain("start", "wait", "end"))
    d.start()
    scheduled = d.of(TimerScheduled)[0]
    assert scheduled.due_at == d.now + timedelta(minutes=10) and scheduled.kind == "duration"
    effects = d.fire("wait", timedelta(minutes=10))
    assert d.of(TimerFired, effects) and d.state.status == "completed"


def test_timer_date_and_expression_are_evaluated() -> None:
    b = ProcessBuilder().start().catch("wait", timer("date", "${deadline}")).end()
    d = Driver(b.chain("start", "wait", "end"))
    d.start(deadline="2026-02-01T00:00:00Z")
    assert d.of(TimerScheduled)[0].due_at.isoformat() == "2026-02-01T00:00:00+00:00"


def test_unparseable_timer_raises_a_timer_incident() -> None:
    b = ProcessBuilder().start().catch("wait", timer("duration", "${later}")).end()
    d = Driver(b.chain("start", "wait", "end"))
    d.start(later="soon")
    assert d.of(IncidentRaised)[0].kind == "timer"


def test_message_catch_opens_a_subscription_with_an_evaluated_correlation_key() -> None:
    b = ProcessBuilder().start().catch("pay", message("M")).end()
    b.chain("start", "pay", "end").message("M", "payment", correlation_key="=orderId")
    d = Driver(b, business_key="order-7")
    d.start(orderId=42)
    opened = d.of(MessageSubscriptionOpened)[0]
    assert (opened.message_name, opened.correlation_key) == ("payment", "42")
    d.correlate("pay", paid=True)
    assert d.state.status == "completed" and d.variables["paid"] is True


def test_signal_catch_and_throw() -> None:
    b = ProcessBuilder().start().throw("announce", signal("S")).catch("hear", signal("S")).end()
    d = Driver(b.chain("start", "announce", "hear", "end").signal("S", "go"))
    d.start()
    assert d.of(SignalThrown)[0].signal_name == "go"
    assert d.of(SignalSubscriptionOpened)[0].signal_name == "go"
    d.signal("hear")
    assert d.state.status == "completed"


def test_signal_end_event_broadcasts() -> None:
    b = ProcessBuilder().start().end("end", signal("S")).chain("start", "end").signal("S", "x")
    d = Driver(b)
    d.start()
    assert d.of(SignalThrown)[0].signal_name == "x" and d.state.status == "completed"


def test_message_end_event_is_a_job_then_ends() -> None:
    b = ProcessBuilder().start().end("end", message("M")).chain("start", "end").message("M", "done")
    d = Driver(b)
    d.start()
    assert d.state.status == "active"
    d.complete_job("end")
    assert d.state.status == "completed"


def test_intermediate_none_throw_passes_through() -> None:
    d = Driver(ProcessBuilder().start().throw("mark").end().chain("start", "mark", "end"))
    d.start()
    assert d.state.status == "completed"


def test_terminate_end_event_ends_every_token_of_the_instance() -> None:
    b = ProcessBuilder().start().parallel("fork").user_task("a").end("stop", terminate())
    d = Driver(b.chain("start", "fork", "a").chain("fork", "stop"))
    effects = d.start()
    assert d.state.status == "terminated"
    assert d.of(UserTaskCancelled, effects)
    assert d.of(InstanceCompleted, effects)[0].terminated is True


def test_terminate_inside_subprocess_ends_only_the_subprocess() -> None:
    b = ProcessBuilder().start().user_task("outside").end("e_out")
    sub = b.subprocess("sub")
    sub.start("s_start").parallel("s_fork").user_task("inner").end("s_stop", terminate())
    sub.chain("s_start", "s_fork", "inner").chain("s_fork", "s_stop")
    b.node(m.EndEvent, "end").chain("start", "sub", "end")
    d = Driver(b)
    d.start()
    assert d.state.status == "completed"
    assert d.state.completed_activities == ["sub"]


def test_link_events_jump_within_the_process() -> None:
    b = ProcessBuilder().start().throw("go", link("L")).catch("land", link("L")).task("t").end()
    d = Driver(b.chain("start", "go").chain("land", "t", "end"))
    d.start()
    assert d.state.status == "completed" and d.state.completed_activities == ["t"]


def _with_boundary(definition: m.EventDefinition, cancel: bool = True) -> ProcessBuilder:
    b = ProcessBuilder().start().user_task("u").end().end("b_end").task("escalate")
    b.boundary("b", "u", definition, cancel_activity=cancel)
    return b.chain("start", "u", "end").chain("b", "escalate", "b_end")


def test_interrupting_timer_boundary_cancels_the_user_task() -> None:
    d = Driver(_with_boundary(timer("duration", "PT1H")))
    d.start()
    task_wait = d.wait_at("u")
    effects = d.fire("b", timedelta(hours=1))
    assert d.of(UserTaskCancelled, effects)[0].wait_id == task_wait
    assert d.of(ActivityCancelled, effects)[0].node_id == "u"
    assert d.state.status == "completed"
    assert d.state.completed_activities == ["escalate"]


def test_completing_the_task_withdraws_its_boundary_timer() -> None:
    from bpmn_engine.runtime import TimerCancelled

    d = Driver(_with_boundary(timer("duration", "PT1H")))
    d.start()
    effects = d.complete("u")
    assert d.of(TimerCancelled, effects) and d.state.status == "completed"


def test_non_interrupting_cycle_boundary_rearms() -> None:
    b = ProcessBuilder().start().user_task("u").end().user_task("remind").end("r_end")
    b.boundary("b", "u", timer("cycle", "R3/PT1H"), cancel_activity=False)
    d = Driver(b.chain("start", "u", "end").chain("b", "remind", "r_end"))
    d.start()
    first = d.of(TimerScheduled)[0]
    assert (first.fired_count, first.repetitions_left) == (0, 3)
    effects = d.fire("b", timedelta(hours=1))
    again = d.of(TimerScheduled, effects)[0]
    assert again.due_at == first.due_at + timedelta(hours=1) and again.fired_count == 1
    assert d.token_nodes() == ["remind", "u"]
    d.fire("b")
    d.fire("b")
    assert not [w for w in d.state.waits.values() if w.kind == "timer"]
    assert d.token_nodes() == ["remind", "remind", "remind", "u"]


def test_non_interrupting_message_boundary_keeps_its_subscription() -> None:
    d = Driver(_with_boundary(message("M"), cancel=False).message("M"))
    d.start()
    wait = d.wait_at("b")
    d.correlate("b")
    d.correlate("b")
    assert d.wait_at("b") == wait and d.token_nodes() == ["u"]
    assert d.state.completed_activities == ["escalate", "escalate"]


def test_interrupting_signal_boundary() -> None:
    d = Driver(_with_boundary(signal("S"), cancel=True).signal("S"))
    d.start()
    d.signal("b")
    assert d.state.status == "completed"


def _job_with_error_boundary(definition: m.ErrorEventDefinition) -> ProcessBuilder:
    b = ProcessBuilder().start().service_task("job").end().task("handle").end("h_end")
    b.boundary("b", "job", definition).error("E1", "BAD").error("E2", None)
    return b.chain("start", "job", "end").chain("b", "handle", "h_end")


def test_error_boundary_catches_a_matching_code() -> None:
    d = Driver(_job_with_error_boundary(error("E1", error_code_variable="code")))
    d.start()
    d.send(ThrowBpmnError(d.wait_at("job"), "BAD", "nope"))
    assert d.state.completed_activities == ["handle"] and d.variables == {"code": "BAD"}


def test_error_boundary_ignores_other_codes_and_the_path_ends() -> None:
    d = Driver(_job_with_error_boundary(error("E1")))
    d.start()
    effects = d.send(ThrowBpmnError(d.wait_at("job"), "OTHER"))
    assert d.of(InstanceFailed, effects)[0].error_code == "OTHER"
    assert d.state.status == "completed" and d.state.completed_activities == []


@pytest.mark.parametrize("definition", [error(None), error("E2")])
def test_error_boundary_without_error_ref_catches_every_code(
    definition: m.ErrorEventDefinition,
) -> None:
    d = Driver(_job_with_error_boundary(definition))
    d.start()
    d.send(ThrowBpmnError(d.wait_at("job"), "ANY"))
    assert d.state.completed_activities == ["handle"]


def test_error_end_event_in_subprocess_is_caught_on_the_subprocess() -> None:
    b = ProcessBuilder().start().end().task("handle").end("h_end").error("E", "E_CODE")
    sub = b.subprocess("sub")
    sub.start("s_start").parallel("s_fork").user_task("inner").end("s_err", error("E"))
    sub.chain("s_start", "s_fork", "inner").chain("s_fork", "s_err")
    b.boundary("b", "sub", error("E")).chain("start", "sub", "end").chain("b", "handle", "h_end")
    d = Driver(b)
    effects = d.start()
    assert d.of(UserTaskCancelled, effects)
    assert d.state.status == "completed" and d.state.completed_activities == ["handle"]
    assert set(d.state.scopes) == {"root"}


def test_job_error_propagates_to_the_enclosing_subprocess_boundary() -> None:
    b = ProcessBuilder().start().end().task("handle").end("h_end").error("E", "X")
    sub = b.subprocess("sub")
    sub.start("s_start").service_task("job").end("s_end").chain("s_start", "job", "s_end")
    b.boundary("b", "sub", error()).chain("start", "sub", "end").chain("b", "handle", "h_end")
    d = Driver(b)
    d.start()
    d.send(ThrowBpmnError(d.wait_at("job"), "X"))
    assert d.state.completed_activities == ["handle"]


def test_error_boundary_on_the_task_cancels_its_other_boundary_waits() -> None:
    b = _job_with_error_boundary(error())
    b.boundary("late", "job", timer("duration", "PT1H")).task("late_t").end("late_end")
    b.chain("late", "late_t", "late_end")
    d = Driver(b)
    d.start()
    assert d.state.waits[d.wait_at("late")].kind == "timer"
    d.send(ThrowBpmnError(d.wait_at("job"), "ANY"))
    assert not d.state.waits and d.state.status == "completed"


def test_completed_job_cannot_be_completed_twice() -> None:
    from bpmn_engine.runtime import UnknownWaitError

    d = Driver(
        ProcessBuilder()
        .start()
        .service_task("j")
        .user_task("u")
        .end()
        .chain("start", "j", "u", "end")
    )
    d.start()
    wait = d.wait_at("j")
    d.send(CompleteJob(wait))
    with pytest.raises(UnknownWaitError, match=f"Expected to apply CompleteJob to wait {wait}"):
        d.send(CompleteJob(wait))
    assert not d.of(JobCancelled)
