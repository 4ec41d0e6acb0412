"""A called process's BPMN error reaches its parent with the error's variables only."""

from __future__ import annotations

from bpmn_engine.bpmn import model as m
from bpmn_engine.runtime import (
    CallActivityStarted,
    FailCallActivity,
    InstanceFailed,
    ThrowBpmnError,
)
from tests.runtime.builder import ProcessBuilder, error
from tests.runtime.harness import Driver

OUT_ALL = (m.VariableMapping(all_variables=True),)


def _child(end_error: bool = False) -> ProcessBuilder:
    b = ProcessBuilder("child").start().service_task("work")
    if end_error:
        b.end("end", error("E")).error("E", "E1")
    else:
        b.end()
    return b.chain("start", "work", "end")


def _catching_parent(
    definition: m.ErrorEventDefinition, out: tuple[m.VariableMapping, ...] = ()
) -> ProcessBuilder:
    b = ProcessBuilder().start().call_activity("call", "child", out_mappings=out)
    b.user_task("after").end().user_task("handle").end("h_end").error("E", "E1")
    b.boundary("b", "call", definition)
    return b.chain("start", "call", "after", "end").chain("b", "handle", "h_end")


def test_uncaught_child_error_reports_only_the_variables_thrown_with_it() -> None:
    child = Driver(_child())
    child.start(secret=1, order="o-1")
    child.send(ThrowBpmnError(child.wait_at("work"), "E1", "declined", {"reason": "card"}))
    failed = child.of(InstanceFailed)[0]
    assert (failed.error_code, failed.message) == ("E1", "declined")
    assert failed.variables == {"reason": "card"}
    assert child.variables["secret"] == 1  # the child keeps its own scope


def test_child_error_end_event_reports_no_variables() -> None:
    child = Driver(_child(end_error=True))
    child.start(secret=1)
    child.complete_job("work", result=2)
    assert child.of(InstanceFailed)[0].variables == {}


def test_caught_child_error_brings_only_its_variables_and_the_catch_variables() -> None:
    catch = error("E", error_code_variable="code", error_message_variable="msg")
    d = Driver(_catching_parent(catch))
    d.start(a=1)
    wait = d.of(CallActivityStarted)[0].wait_id
    d.send(FailCallActivity(wait, "E1", "declined", {"reason": "card"}))
    assert d.variables == {"a": 1, "reason": "card", "code": "E1", "msg": "declined"}
    assert d.token_nodes() == ["handle"]


def test_caught_child_error_ignores_the_out_mappings() -> None:
    d = Driver(_catching_parent(error("E"), out=OUT_ALL))
    d.start(a=1)
    wait = d.of(CallActivityStarted)[0].wait_id
    d.send(FailCallActivity(wait, "E1", None, {}))
    assert d.variables == {"a": 1}
    assert d.token_nodes() == ["handle"]


def test_child_error_uncaught_in_the_parent_passes_up_only_the_error_variables() -> None:
    b = ProcessBuilder().start().call_activity("call", "child").end()
    d = Driver(b.chain("start", "call", "end"))
    d.start(a=1)
    wait = d.of(CallActivityStarted)[0].wait_id
    d.send(FailCallActivity(wait, "E1", None, {"reason": "card"}))
    assert d.of(InstanceFailed)[0].variables == {"reason": "card"}
