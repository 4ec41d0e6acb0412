"""Compensation throw events and ``waitForCompletion`` (BPMN 2.0; Camunda 7 always waits)."""

from __future__ import annotations

from datetime import timedelta

from bpmn_engine.runtime import JobCancelled, JobCreated, UserTaskCreated
from tests.runtime.builder import ProcessBuilder, compensate, terminate, timer
from tests.runtime.harness import Driver

DETACHED = compensate(wait_for_completion=False)


def _jobs(d: Driver) -> list[str]:
    return [e.node_id for e in d.of(JobCreated)]


def _tasks(d: Driver) -> list[str]:
    return [e.node_id for e in d.of(UserTaskCreated)]


def _saga(throw: object, after: str = "next") -> ProcessBuilder:
    b = ProcessBuilder().start().service_task("a").service_task("b")
    b.throw("undo", throw).user_task(after).end()  # type: ignore[arg-type]
    b.compensation("a", "undo_a").compensation("b", "undo_b")
    return b.chain("start", "a", "b", "undo", after, "end")


def test_compensation_throw_waits_for_every_handler_by_default() -> None:
    d = Driver(_saga(compensate()))
    d.start()
    d.complete_job("a")
    d.complete_job("b")
    d.complete_job("undo_b")
    assert _tasks(d) == []
    d.complete_job("undo_a")
    assert _tasks(d) == ["next"]


def test_compensation_throw_without_wait_for_completion_continues_at_once() -> None:
    d = Driver(_saga(DETACHED))
    d.start()
    d.complete_job("a")
    d.complete_job("b")
    assert _tasks(d) == ["next"]
    assert _jobs(d)[-1] == "undo_b"  # the handlers run meanwhile, latest completion first
    d.complete_job("undo_b")
    assert _jobs(d)[-1] == "undo_a"
    d.complete_job("undo_a")
    assert d.token_nodes() == ["next"]


def test_scope_with_detached_handlers_completes_only_when_they_ended() -> None:
    d = Driver(_saga(DETACHED))
    d.start()
    d.complete_job("a")
    d.complete_job("b")
    d.complete("next")
    assert d.state.status == "active"
    d.complete_job("undo_b")
    d.complete_job("undo_a")
    assert d.state.status == "completed"


def test_detached_handlers_are_cancelled_when_their_scope_is_terminated() -> None:
    b = ProcessBuilder().start().service_task("a").throw("undo", DETACHED)
    b.end("stop", terminate()).compensation("a", "undo_a")
    d = Driver(b.chain("start", "a", "undo", "stop"))
    d.start()
    d.complete_job("a")
    assert d.state.status == "terminated"
    assert [e.wait_id for e in d.of(JobCancelled)] == [d.of(JobCreated)[-1].wait_id]


def test_detached_handlers_are_cancelled_when_their_subprocess_is_interrupted() -> None:
    b = ProcessBuilder().start().user_task("after").end()
    sub = b.subprocess("sub")
    sub.start("s_start").service_task("a").throw("undo", DETACHED).user_task("inner")
    sub.end("s_end").chain("s_start", "a", "undo", "inner", "s_end")
    sub.compensation("a", "undo_a")
    b.boundary("late", "sub", timer("duration", "PT1H")).chain("late", "after")
    d = Driver(b.chain("start", "sub", "after", "end"))
    d.start()
    d.complete_job("a")
    assert _jobs(d)[-1] == "undo_a" and _tasks(d) == ["inner"]
    d.fire("late", timedelta(hours=1))
    assert d.token_nodes() == ["after"] and not d.state.open_waits("job")


def test_inclusive_join_does_not_wait_for_detached_handlers() -> None:
    b = ProcessBuilder().start().inclusive("split").inclusive("join")
    b.service_task("a").throw("undo", DETACHED).user_task("b").user_task("after").end()
    b.chain("start", "split", "a", "undo", "join").chain("split", "b", "join")
    b.chain("join", "after", "end").compensation("a", "undo_a")
    d = Driver(b)
    d.start()
    d.complete_job("a")
    d.complete("b")
    assert _tasks(d) == ["b", "after"]
    assert d.state.open_waits("job")  # undo_a still runs beside the flow
