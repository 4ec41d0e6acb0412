"""Conditional events (boundary, event subprocess start, intermediate catch) on the pure core."""

from __future__ import annotations

from typing import Any

from bpmn_engine.bpmn import model as m
from bpmn_engine.runtime import (
    ConditionalSubscriptionOpened,
    IncidentRaised,
    RetryIncident,
    SetVariables,
    SubscriptionClosed,
    UserTaskCancelled,
)
from bpmn_engine.runtime.tables import tables_for
from tests.runtime.builder import ProcessBuilder, message
from tests.runtime.harness import Driver


def cond(text: str, **kw: Any) -> m.ConditionalEventDefinition:
    return m.ConditionalEventDefinition(condition=text, **kw)


def _catch(text: str = "${x == 1}") -> Driver:
    b = ProcessBuilder().start().catch("wait", cond(text)).user_task("after").end()
    b.chain("start", "wait", "after", "end")
    return Driver(b)


def _boundary(text: str = "${x > 10}", interrupting: bool = True, **kw: Any) -> Driver:
    b = ProcessBuilder().start().user_task("work").end().chain("start", "work", "end")
    b.boundary("changed", "work", cond(text, **kw), cancel_activity=interrupting)
    b.user_task("react").end("end2").chain("changed", "react", "end2")
    return Driver(b)


def _esp(text: str = "${x == 1}", interrupting: bool = True, inside: bool = False) -> Driver:
    b = ProcessBuilder()
    container = b
    if inside:
        sub = b.subprocess("sub")
        b.start().end().chain("start", "sub", "end")
        sub.start("s_start").user_task("work").end("s_end").chain("s_start", "work", "s_end")
        container = sub
    else:
        b.start().user_task("work").end().chain("start", "work", "end")
    esp = container.subprocess("handler", triggered_by_event=True)
    esp.start("h_start", cond(text), is_interrupting=interrupting).user_task("handle")
    esp.end("h_end").chain("h_start", "handle", "h_end")
    return Driver(b)


def _tasks(d: Driver) -> list[str]:
    return sorted(w.node_id for w in d.state.open_waits("user_task"))


# ----------------------------------------------------------------------- intermediate catch


def test_conditional_catch_passes_at_once_when_its_condition_already_holds() -> None:
    d = _catch()
    effects = d.start(x=1)
    assert not d.of(ConditionalSubscriptionOpened, effects)
    assert _tasks(d) == ["after"]


def test_conditional_catch_waits_until_a_variable_change_makes_it_true() -> None:
    d = _catch()
    effects = d.start()  # x unknown: false, not an incident
    assert d.of(ConditionalSubscriptionOpened, effects)
    d.send(SetVariables({"x": 2}))
    assert _tasks(d) == [] and d.wait_at("wait", "conditional")
    effects = d.send(SetVariables({"x": 1}))
    assert d.of(SubscriptionClosed, effects)
    assert _tasks(d) == ["after"]


def test_conditional_catch_with_a_failing_condition_raises_an_incident_and_retries() -> None:
    d = _catch("${x / y > 1}")
    d.start(x=1, y=1)
    effects = d.send(SetVariables({"y": 0}))
    [raised] = d.of(IncidentRaised, effects)
    assert raised.node_id == "wait" and raised.kind == "expression"
    d.send(SetVariables({"y": 0.5}))
    d.send(RetryIncident(raised.incident_id))
    assert _tasks(d) == ["after"]


def test_conditional_catch_behind_an_event_based_gateway_wins_the_race() -> None:
    b = ProcessBuilder().message("m", "Go").start().event_gateway("gw")
    b.catch("ready", cond("${ready}")).catch("msg", message("m")).end().end("end2")
    b.chain("start", "gw", "ready", "end").chain("gw", "msg", "end2")
    d = Driver(b)
    d.start(ready=False)
    effects = d.send(SetVariables({"ready": True}))
    assert len(d.of(SubscriptionClosed, effects)) == 2
    assert d.state.status == "completed"


# ----------------------------------------------------------------------- boundary events


def test_interrupting_conditional_boundary_fires_when_the_activity_starts_and_it_holds() -> None:
    d = _boundary()
    effects = d.start(x=11)
    assert d.of(UserTaskCancelled, effects)
    assert _tasks(d) == ["react"]


def test_interrupting_conditional_boundary_fires_on_a_variable_change() -> None:
    d = _boundary()
    d.start(x=1)
    assert _tasks(d) == ["work"]
    d.send(SetVariables({"x": 12}))
    assert _tasks(d) == ["react"]
    assert not d.state.open_waits("conditional")


def test_non_interrupting_conditional_boundary_fires_again_only_after_it_was_false() -> None:
    d = _boundary(interrupting=False)
    d.start(x=1)
    d.send(SetVariables({"x": 11}))
    d.send(SetVariables({"x": 12}))  # still true: the spec wants false -> true again
    assert _tasks(d) == ["react", "work"]
    d.send(SetVariables({"x": 0}))
    d.send(SetVariables({"x": 20}))
    assert _tasks(d) == ["react", "react", "work"]


def test_conditional_boundary_obeys_the_variable_name_and_event_filters() -> None:
    d = _boundary("${x > 10}", variable_name="trigger", variable_events=("update",))
    d.start(x=11)  # the first evaluation ignores the filters ...
    assert _tasks(d) == ["react"]
    d = _boundary("${x > 10}", variable_name="trigger", variable_events=("update",))
    d.start(x=1)
    d.send(SetVariables({"x": 50}))  # ... later ones only follow "trigger" updates
    d.send(SetVariables({"trigger": 1}))  # a create
    assert _tasks(d) == ["work"]
    d.send(SetVariables({"trigger": 2}))
    assert _tasks(d) == ["react"]


def test_completing_the_task_withdraws_its_conditional_boundary() -> None:
    d = _boundary()
    d.start(x=1)
    effects = d.complete("work", x=50)
    assert d.of(SubscriptionClosed, effects)
    assert d.state.status == "completed"


# ----------------------------------------------------------------------- event subprocesses


def test_interrupting_conditional_event_subprocess_starts_with_the_instance_variables() -> None:
    d = _esp()
    d.start(x=1)
    assert _tasks(d) == ["handle"]
    assert not d.state.open_waits("conditional")


def test_interrupting_conditional_event_subprocess_cancels_the_scope_on_a_change() -> None:
    d = _esp()
    d.start()
    assert _tasks(d) == ["work"]
    d.send(SetVariables({"x": 1}))
    assert _tasks(d) == ["handle"]
    d.complete("handle")
    assert d.state.status == "completed"


def test_non_interrupting_conditional_event_subprocess_runs_beside_the_scope() -> None:
    d = _esp(interrupting=False)
    d.start()
    d.send(SetVariables({"x": 1}))
    d.send(SetVariables({"x": 1}))
    assert _tasks(d) == ["handle", "work"]
    d.send(SetVariables({"x": 2}))
    d.send(SetVariables({"x": 1}))
    assert _tasks(d) == ["handle", "handle", "work"]


def test_a_local_variable_of_an_inner_scope_does_not_reach_an_outer_condition() -> None:
    io = m.IoMapping(inputs=(m.Parameter(name="y", kind="literal", value="0"),))
    b = ProcessBuilder().start().user_task("work", io_mapping=io).end()
    b.chain("start", "work", "end")
    esp = b.subprocess("handler", triggered_by_event=True)
    esp.start("h_start", cond("${x == 1}")).user_task("handle").end("h_end")
    esp.chain("h_start", "handle", "h_end")
    d = Driver(b)
    d.start()
    token = d.state.tokens[d.state.waits[d.wait_at("work")].token_id]
    d.send(SetVariables({"x": 1}, scope_id=token.child_scope))
    assert _tasks(d) == ["work"]
    d.send(SetVariables({"x": 1}))
    assert _tasks(d) == ["handle"]


def test_a_change_in_the_scope_reaches_the_event_subprocess_of_a_nested_subprocess() -> None:
    d = _esp(inside=True)
    d.start()
    d.send(SetVariables({"x": 1}))  # set in the root scope, seen from the subprocess
    assert _tasks(d) == ["handle"]
    d.complete("handle")
    assert d.state.status == "completed"


def test_a_task_completion_variable_triggers_the_event_subprocess() -> None:
    b = ProcessBuilder().start().user_task("a").user_task("b").end()
    b.chain("start", "a", "b", "end")
    esp = b.subprocess("handler", triggered_by_event=True)
    esp.start("h_start", cond("${x == 1}")).end("h_end").chain("h_start", "h_end")
    d = Driver(b)
    d.start()
    d.complete("a", x=1)
    assert d.state.status == "completed" and _tasks(d) == []


def test_processes_without_conditional_events_do_not_dispatch_variable_changes() -> None:
    b = ProcessBuilder().start().user_task("a").end().chain("start", "a", "end")
    assert not tables_for(b.build()).conditional
    assert tables_for(_esp().process).conditional


def test_a_failing_event_subprocess_condition_raises_an_incident_and_retry_listens_again() -> None:
    d = _esp("${x / y > 1}")
    d.start(x=1, y=1)
    [raised] = d.of(IncidentRaised, d.send(SetVariables({"y": 0})))
    assert raised.node_id == "handler"
    assert not d.state.open_waits("conditional")
    d.send(SetVariables({"y": 0.5}))
    d.send(RetryIncident(raised.incident_id))
    assert _tasks(d) == ["handle"]


def test_an_outer_interrupting_event_subprocess_wins_over_an_inner_boundary() -> None:
    b = ProcessBuilder().start().user_task("work").end().chain("start", "work", "end")
    b.boundary("inner", "work", cond("${x == 1}")).end("end_inner").chain("inner", "end_inner")
    esp = b.subprocess("handler", triggered_by_event=True)
    esp.start("h_start", cond("${x == 1}")).user_task("handle").end("h_end")
    esp.chain("h_start", "handle", "h_end")
    d = Driver(b)
    d.start()
    d.send(SetVariables({"x": 1}))
    assert _tasks(d) == ["handle"]
    assert "inner" not in d.token_nodes() and d.state.status == "active"
