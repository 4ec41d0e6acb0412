"""Incidents, retries, cancellation of calls, and joins around nested activities."""

from __future__ import annotations

from bpmn_engine.runtime import (
    CallActivityCancelled,
    CallActivityStarted,
    Cancel,
    IncidentRaised,
    IncidentResolved,
    RetryIncident,
    SetVariables,
    UnknownIncidentError,
)
from tests.runtime.builder import ProcessBuilder
from tests.runtime.harness import Driver


def test_retry_re_executes_a_failed_script_after_the_data_is_fixed() -> None:
    b = ProcessBuilder().start().script_task("s", "y = x + 1").end()
    d = Driver(b.chain("start", "s", "end"))
    d.start()
    incident = d.of(IncidentRaised)[0]
    d.send(SetVariables({"x": 1}))
    effects = d.send(RetryIncident(incident.incident_id))
    assert d.of(IncidentResolved, effects) and d.variables["y"] == 2
    assert d.state.status == "completed"


def test_retry_of_a_still_failing_node_raises_a_new_incident() -> None:
    b = ProcessBuilder().start().script_task("s", "y = x + 1").end()
    d = Driver(b.chain("start", "s", "end"))
    d.start()
    first = d.of(IncidentRaised)[0].incident_id
    d.send(RetryIncident(first))
    assert list(d.state.incidents) == [d.of(IncidentRaised)[1].incident_id] != [first]


def test_retrying_an_unknown_incident_is_refused() -> None:
    import pytest

    d = Driver(ProcessBuilder().start().user_task("u").end().chain("start", "u", "end"))
    d.start()
    with pytest.raises(UnknownIncidentError, match="Expected to retry incident i-7"):
        d.send(RetryIncident("i-7"))


def test_condition_incident_after_a_task_retries_only_the_leaving() -> None:
    b = ProcessBuilder().start().user_task("u").user_task("a").end()
    b.chain("start", "u").flow("u", "a", "ok == True").chain("a", "end")
    d = Driver(b)
    d.start(ok=False)
    d.complete("u")
    incident = d.of(IncidentRaised)[0]
    assert incident.kind == "no-outgoing-flow" and d.state.completed_activities == ["u"]
    d.send(SetVariables({"ok": True}))
    d.send(RetryIncident(incident.incident_id))
    assert d.token_nodes() == ["a"] and d.state.completed_activities == ["u"]


def test_cancel_withdraws_child_call_instances() -> None:
    b = ProcessBuilder().start().call_activity("call", "child").end()
    d = Driver(b.chain("start", "call", "end"))
    d.start()
    wait = d.of(CallActivityStarted)[0].wait_id
    effects = d.send(Cancel())
    assert d.of(CallActivityCancelled, effects)[0].wait_id == wait


def test_cancel_resolves_open_incidents() -> None:
    b = ProcessBuilder().start().script_task("s", "y = x").end()
    d = Driver(b.chain("start", "s", "end"))
    d.start()
    effects = d.send(Cancel())
    assert d.of(IncidentResolved, effects) and not d.state.incidents


def test_inclusive_join_waits_for_a_token_inside_a_nested_subprocess() -> None:
    b = ProcessBuilder().start().inclusive("fork").user_task("a").inclusive("join").end()
    sub = b.subprocess("sub")
    sub.start("s_start").user_task("inner").end("s_end").chain("s_start", "inner", "s_end")
    b.chain("start", "fork").chain("fork", "a", "join").chain("fork", "sub", "join", "end")
    d = Driver(b)
    d.start()
    d.complete("a")
    assert d.token_nodes() == ["inner", "join", "sub"]
    d.complete("inner")
    assert d.state.status == "completed"
