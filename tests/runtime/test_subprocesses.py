"""Conformance: embedded subprocesses, variable scoping and call activities."""

from __future__ import annotations

from datetime import timedelta

from bpmn_engine.bpmn import model as m
from bpmn_engine.runtime import (
    CallActivityCancelled,
    CallActivityCompleted,
    CallActivityStarted,
    CompleteCallActivity,
    CompleteUserTask,
    EscalateCallActivity,
    FailCallActivity,
    IncidentRaised,
    InstanceEscalated,
    InstanceFailed,
    ReportIncident,
    RetryIncident,
    SetVariables,
    UserTaskCreated,
)
from tests.runtime.builder import ProcessBuilder, error, escalation, timer
from tests.runtime.harness import Driver


def _subprocess(io: m.IoMapping | None = None) -> ProcessBuilder:
    b = ProcessBuilder().start().user_task("after").end()
    sub = b.subprocess("sub", io_mapping=io)
    sub.start("s_start").user_task("inner").end("s_end").chain("s_start", "inner", "s_end")
    return b.chain("start", "sub", "after", "end")


def test_subprocess_runs_its_content_in_its_own_scope() -> None:
    d = Driver(_subprocess())
    d.start()
    created = d.of(UserTaskCreated)[0]
    assert created.node_id == "inner" and created.scope_id != "root"
    assert d.state.scopes[created.scope_id].parent_id == "root"
    d.complete("inner")
    assert d.token_nodes() == ["after"] and set(d.state.scopes) == {"root"}
    assert d.state.completed_activities == ["sub"]


def test_subprocess_variables_are_local_to_its_scope() -> None:
    io = m.IoMapping(inputs=(m.Parameter(name="draft", value="${base}"),))
    d = Driver(_subprocess(io))
    d.start(base=1)
    scope_id = d.of(UserTaskCreated)[0].scope_id
    assert d.state.scopes[scope_id].variables == {"draft": 1}
    d.complete("inner", draft=2, result=3)
    # draft exists in the subprocess scope, so it is written there and dies with it;
    # result exists nowhere, so it goes to the process scope (Camunda's rule)
    assert d.variables == {"base": 1, "result": 3}


def test_setting_an_existing_outer_variable_from_inside_updates_it() -> None:
    d = Driver(_subprocess())
    d.start(counter=1)
    d.send(CompleteUserTask(d.wait_at("inner"), {"counter": 2}, {"mine": True}))
    assert d.variables == {"counter": 2}


def test_set_variables_local_to_a_scope() -> None:
    d = Driver(_subprocess())
    d.start()
    scope_id = d.of(UserTaskCreated)[0].scope_id
    d.send(SetVariables({"only_here": 1}, scope_id=scope_id))
    assert d.state.visible_variables(scope_id) == {"only_here": 1}
    assert d.variables == {}


def test_interrupting_boundary_on_subprocess_cancels_everything_inside() -> None:
    b = _subprocess().boundary("b", "sub", timer("duration", "PT5M")).end("b_end")
    d = Driver(b.chain("b", "b_end"))
    d.start()
    d.fire("b", timedelta(minutes=5))
    assert d.state.status == "completed" and set(d.state.scopes) == {"root"}


def _call(called: str = "child", **kw: object) -> ProcessBuilder:
    b = ProcessBuilder().start().call_activity("call", called, **kw).user_task("after").end()
    return b.chain("start", "call", "after", "end")


def test_call_activity_asks_the_service_layer_to_start_the_child() -> None:
    d = Driver(_call(binding="version", version="3"))
    d.start(a=1)
    started = d.of(CallActivityStarted)[0]
    assert (started.called_element, started.binding, started.version) == ("child", "version", "3")
    assert started.variables == {}  # no mappings: nothing passes (Camunda 7)


def test_call_activity_without_mappings_passes_nothing_back_by_default() -> None:
    d = Driver(_call())
    d.start(a=1)
    d.send(CompleteCallActivity(d.of(CallActivityStarted)[0].wait_id, {"b": 2}))
    assert d.variables == {"a": 1} and d.token_nodes() == ["after"]


def test_call_activity_propagating_all_variables_passes_them_both_ways() -> None:
    d = Driver(_call(propagate_all_parent_variables=True, propagate_all_child_variables=True))
    d.start(a=1)
    started = d.of(CallActivityStarted)[0]
    assert started.variables == {"a": 1}  # Zeebe's default
    d.send(CompleteCallActivity(started.wait_id, {"a": 2, "b": 3}))
    assert d.variables == {"a": 2, "b": 3}


def test_call_activity_maps_variables_in_and_out() -> None:
    ins = (
        m.VariableMapping(source="a", target="x"),
        m.VariableMapping(source_expression="${a * 2}", target="y"),
        m.VariableMapping(business_key=True, source_expression="${key}"),
    )
    outs = (m.VariableMapping(source="result", target="answer"),)
    d = Driver(_call(in_mappings=ins, out_mappings=outs))
    d.start(a=2, key="K-1", secret=True)
    started = d.of(CallActivityStarted)[0]
    assert started.variables == {"x": 2, "y": 4} and started.business_key == "K-1"
    effects = d.send(CompleteCallActivity(started.wait_id, {"result": 42, "noise": 1}))
    assert d.of(CallActivityCompleted, effects)
    assert d.variables == {"a": 2, "key": "K-1", "secret": True, "answer": 42}
    assert d.token_nodes() == ["after"]


def test_call_activity_all_variables_in_and_out() -> None:
    ins = (m.VariableMapping(all_variables=True),)
    outs = (m.VariableMapping(all_variables=True),)
    d = Driver(_call(in_mappings=ins, out_mappings=outs))
    d.start(a=1)
    started = d.of(CallActivityStarted)[0]
    assert started.variables == {"a": 1}
    d.send(CompleteCallActivity(started.wait_id, {"a": 5, "b": 6}))
    assert d.variables == {"a": 5, "b": 6}


def test_zeebe_output_mappings_keep_the_child_variables_local_to_the_call_activity() -> None:
    local_all = (m.VariableMapping(all_variables=True, local=True),)  # as the parser reads it
    io = m.IoMapping(outputs=(m.Parameter(name="total", kind="expression", value="=sum"),))
    d = Driver(_call(out_mappings=local_all, io_mapping=io, propagate_all_child_variables=True))
    d.start(a=1)
    d.send(CompleteCallActivity(d.of(CallActivityStarted)[0].wait_id, {"sum": 3, "tmp": 9}))
    assert d.variables == {"a": 1, "total": 3}


def test_error_thrown_by_the_child_reaches_the_call_activity_boundary() -> None:
    b = _call().boundary("b", "call", error("E")).task("handle").end("h_end").error("E", "E1")
    d = Driver(b.chain("b", "handle", "h_end"))
    d.start()
    wait = d.of(CallActivityStarted)[0].wait_id
    effects = d.send(FailCallActivity(wait, "E1", "child failed"))
    assert d.of(CallActivityCancelled, effects)[0].wait_id == wait
    assert d.state.status == "completed" and d.state.completed_activities == ["handle"]


def test_uncaught_child_error_goes_up_and_the_call_keeps_waiting() -> None:
    d = Driver(_call())
    d.start()
    wait = d.of(CallActivityStarted)[0].wait_id
    effects = d.send(FailCallActivity(wait, "E1"))
    assert d.of(InstanceFailed, effects)[0].error_code == "E1"
    assert d.wait_at("call") == wait


def test_missing_called_element_raises_an_incident() -> None:
    d = Driver(_call("${x}"))
    d.start(x="")
    assert d.of(IncidentRaised)[0].kind == "called-element"


def test_service_layer_reports_an_undeployed_child_and_retry_starts_it_again() -> None:
    d = Driver(_call())
    d.start()
    wait = d.of(CallActivityStarted)[0].wait_id
    d.send(ReportIncident(wait, "called-element", "no process 'child' deployed"))
    incident = d.of(IncidentRaised)[0]
    assert incident.kind == "called-element" and not d.state.waits
    d.send(RetryIncident(incident.incident_id))
    assert len(d.of(CallActivityStarted)) == 2 and not d.state.incidents


def _escalating_call(interrupting: bool = True) -> Driver:
    outs = (m.VariableMapping(source="report", target="report"),)
    b = _call(out_mappings=outs).escalation("late", "LATE")
    b.boundary("b", "call", escalation("late", escalation_code_variable="code"), interrupting)
    return Driver(b.user_task("chase").end("c_end").chain("b", "chase", "c_end"))


def test_child_escalation_reaches_the_interrupting_call_activity_boundary() -> None:
    d = _escalating_call()
    d.start()
    wait = d.of(CallActivityStarted)[0].wait_id
    effects = d.send(EscalateCallActivity(wait, "LATE", {"report": "slow", "noise": 1}))
    assert d.of(CallActivityCancelled, effects)[0].wait_id == wait  # the child is cancelled
    assert d.token_nodes() == ["chase"]
    assert d.variables == {"report": "slow", "code": "LATE"}  # camunda:out on the catch


def test_child_escalation_at_a_non_interrupting_boundary_leaves_the_call_waiting() -> None:
    d = _escalating_call(interrupting=False)
    d.start()
    wait = d.of(CallActivityStarted)[0].wait_id
    d.send(EscalateCallActivity(wait, "LATE", {"report": "slow"}))
    assert d.token_nodes() == ["call", "chase"] and d.wait_at("call") == wait
    d.send(CompleteCallActivity(wait, {"report": "done"}))
    assert d.variables["report"] == "done" and d.token_nodes() == ["after", "chase"]


def test_child_escalation_reaches_the_parent_event_subprocess() -> None:
    b = _call().escalation("late", "LATE")
    esp = b.subprocess("handler", triggered_by_event=True)
    esp.start("h_start", escalation("late"), is_interrupting=False).user_task("handle")
    esp.end("h_end").chain("h_start", "handle", "h_end")
    d = Driver(b)
    d.start()
    wait = d.of(CallActivityStarted)[0].wait_id
    d.send(EscalateCallActivity(wait, "LATE"))
    assert d.token_nodes() == ["call", "handle", "handler"]


def test_uncaught_child_escalation_goes_up_and_the_call_keeps_waiting() -> None:
    d = Driver(_call())
    d.start()
    wait = d.of(CallActivityStarted)[0].wait_id
    effects = d.send(EscalateCallActivity(wait, "LATE", {"x": 1}))
    assert d.of(InstanceEscalated, effects)[0].escalation_code == "LATE"
    assert d.wait_at("call") == wait and "x" not in d.variables


def test_escalation_nothing_catches_in_a_called_process_is_announced_and_it_goes_on() -> None:
    b = ProcessBuilder().escalation("late", "LATE").start().throw("up", escalation("late"))
    d = Driver(b.user_task("next").end().chain("start", "up", "next", "end"))
    effects = d.start(v=1)
    [escalated] = d.of(InstanceEscalated, effects)
    assert (escalated.escalation_code, escalated.node_id) == ("LATE", "up")
    assert escalated.variables == {"v": 1} and d.token_nodes() == ["next"]
