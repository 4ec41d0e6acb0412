"""MultiInstanceBehaviour and StandardLoopBehaviour on the pure core."""

from __future__ import annotations

from datetime import timedelta

from bpmn_engine.bpmn import model as m
from bpmn_engine.runtime import (
    ActivityCancelled,
    CompleteCallActivity,
    IncidentRaised,
    UserTaskCancelled,
    UserTaskCreated,
)
from tests.runtime.builder import ProcessBuilder, error, multi, timer
from tests.runtime.harness import Driver


def _user_mi(**loop: object) -> ProcessBuilder:
    b = ProcessBuilder().start().user_task("review", loop=multi(**loop)).task("after").end()
    return b.chain("start", "review", "after", "end")


def _complete_all(d: Driver, node: str = "review") -> None:
    while any(w.node_id == node for w in d.state.waits.values()):
        wait = next(w for w in d.state.waits.values() if w.node_id == node)
        d.send(_complete(wait.id))


def _complete(wait_id: str, **variables: object) -> object:
    from bpmn_engine.runtime import CompleteUserTask

    return CompleteUserTask(wait_id, variables)


def test_parallel_multi_instance_creates_every_instance_at_once() -> None:
    d = Driver(_user_mi(loop_cardinality="3"))
    effects = d.start()
    assert len(d.of(UserTaskCreated, effects)) == 3
    body = next(s for s in d.state.scopes.values() if "loop" in s.data)
    assert body.variables["nrOfInstances"] == 3
    assert body.variables["nrOfActiveInstances"] == 3
    counters = sorted(
        d.state.scopes[e.scope_id].variables["loopCounter"] for e in d.of(UserTaskCreated)
    )
    assert counters == [0, 1, 2]
    _complete_all(d)
    assert d.state.status == "completed"
    assert d.state.completed_activities == ["review", "after"]


def test_each_parallel_instance_is_a_scope_of_its_own() -> None:
    d = Driver(_user_mi(collection="${items}", element_variable="item"))
    d.start(items=["a", "b"])
    scopes = {e.scope_id for e in d.of(UserTaskCreated)}
    assert len(scopes) == 2
    assert sorted(d.state.scopes[s].variables["item"] for s in scopes) == ["a", "b"]
    assert "item" not in d.variables


def test_sequential_multi_instance_runs_one_instance_after_the_other() -> None:
    d = Driver(_user_mi(collection="items", element_variable="item", is_sequential=True))
    d.start(items=[1, 2, 3])
    seen = []
    for _ in range(3):
        created = d.of(UserTaskCreated)[-1]
        assert len(d.state.open_waits("user_task")) == 1
        scope = d.state.scopes[created.scope_id]
        seen.append((scope.variables["loopCounter"], scope.variables["item"]))
        d.complete("review")
    assert seen == [(0, 1), (1, 2), (2, 3)]
    assert d.state.status == "completed"


def test_completion_condition_cancels_the_remaining_instances() -> None:
    d = Driver(
        _user_mi(loop_cardinality="${5}", completion_condition="${nrOfCompletedInstances >= 2}")
    )
    d.start()
    waits = [w.id for w in d.state.open_waits("user_task")]
    d.send(_complete(waits[0]))
    effects = d.send(_complete(waits[1]))
    assert len(d.of(UserTaskCancelled, effects)) == 3
    assert len([e for e in d.of(ActivityCancelled, effects) if e.node_id == "review"]) == 3
    assert d.state.status == "completed"


def test_completion_condition_sees_the_instance_variables() -> None:
    d = Driver(
        _user_mi(
            collection="${items}", element_variable="item", completion_condition="${item == 'stop'}"
        )
    )
    d.start(items=["go", "stop", "go"])
    stop = next(
        e.wait_id
        for e in d.of(UserTaskCreated)
        if d.state.scopes[e.scope_id].variables["item"] == "stop"
    )
    d.send(_complete(stop))
    assert d.state.status == "completed"


def test_empty_collection_completes_the_activity_immediately() -> None:
    d = Driver(_user_mi(collection="${items}", element_variable="item"))
    d.start(items=[])
    assert d.state.status == "completed"
    assert d.state.completed_activities == ["review", "after"]


def test_output_collection_gathers_each_output_element_in_order() -> None:
    b = (
        ProcessBuilder()
        .start()
        .script_task(
            "double",
            "doubled = item * 2",
            loop=multi(
                collection="=items",
                element_variable="item",
                output_collection="results",
                output_element="=doubled",
            ),
        )
        .end()
    )
    b.chain("start", "double", "end")
    d = Driver(b)
    d.start(items=[1, 2, 3])
    assert d.state.status == "completed"
    assert d.variables["results"] == [2, 4, 6]


def test_multi_instance_subprocess_runs_a_scope_per_instance() -> None:
    b = ProcessBuilder().start()
    sub = b.subprocess("sub", loop=multi(collection="${orders}", element_variable="order"))
    sub.start("s_start").user_task("pack").end("s_end").chain("s_start", "pack", "s_end")
    b.end().chain("start", "sub", "end")
    d = Driver(b)
    d.start(orders=["o1", "o2"])
    assert len(d.state.open_waits("user_task")) == 2
    _complete_all(d, "pack")
    assert d.state.status == "completed"


def test_multi_instance_call_activity_calls_once_per_element() -> None:
    b = (
        ProcessBuilder()
        .start()
        .call_activity("call", "child", loop=multi(collection="${xs}", element_variable="x"))
        .end()
        .chain("start", "call", "end")
    )
    d = Driver(b)
    d.start(xs=[10, 20])
    calls = d.state.open_waits("call_activity")
    assert len(calls) == 2
    for wait in calls:
        d.send(CompleteCallActivity(wait.id, {}))
    assert d.state.status == "completed"


def test_boundary_on_multi_instance_interrupts_every_instance() -> None:
    b = _user_mi(loop_cardinality="3").end("late_end")
    b.boundary("late", "review", timer("duration", "PT1H")).chain("late", "late_end")
    d = Driver(b)
    d.start()
    effects = d.fire("late", timedelta(hours=1))
    assert len(d.of(UserTaskCancelled, effects)) == 3
    assert d.state.status == "completed" and d.state.scopes.keys() == {"root"}


def test_error_in_an_instance_is_caught_by_the_body_boundary() -> None:
    b = ProcessBuilder().start().service_task("charge", loop=multi(loop_cardinality="2"))
    b.end().end("failed").chain("start", "charge", "end")
    b.error("e", "DECLINED").boundary("caught", "charge", error("e")).chain("caught", "failed")
    d = Driver(b)
    d.start()
    from bpmn_engine.runtime import ThrowBpmnError

    job = d.state.open_waits("job")[0]
    d.send(ThrowBpmnError(job.id, "DECLINED"))
    assert d.state.status == "completed"
    assert not d.state.waits


def test_bad_collection_raises_an_incident() -> None:
    d = Driver(_user_mi(collection="${items}", element_variable="item"))
    effects = d.start(items=5)
    assert d.of(IncidentRaised, effects)[0].kind == "multi-instance"


def test_standard_loop_repeats_while_the_condition_holds() -> None:
    loop = m.StandardLoopCharacteristics(loop_condition="${count < 3}")
    b = ProcessBuilder().start().script_task("inc", "count = count + 1", loop=loop).end()
    d = Driver(b.chain("start", "inc", "end"))
    d.start(count=0)
    assert d.state.status == "completed" and d.variables["count"] == 3


def test_standard_loop_tests_before_when_asked() -> None:
    loop = m.StandardLoopCharacteristics(loop_condition="${count < 3}", test_before=True)
    b = ProcessBuilder().start().script_task("inc", "count = count + 1", loop=loop).end()
    d = Driver(b.chain("start", "inc", "end"))
    d.start(count=5)
    assert d.variables["count"] == 5
    after = Driver(b)
    after.start(count=5)
    assert after.variables["count"] == 5  # test before: never runs
    do_while = m.StandardLoopCharacteristics(loop_condition="${count < 3}")
    b2 = ProcessBuilder().start().script_task("inc", "count = count + 1", loop=do_while).end()
    d2 = Driver(b2.chain("start", "inc", "end"))
    d2.start(count=5)
    assert d2.variables["count"] == 6  # test after: runs once


def test_standard_loop_stops_at_its_maximum() -> None:
    loop = m.StandardLoopCharacteristics(loop_condition="${true}", loop_maximum=4)
    b = ProcessBuilder().start().script_task("inc", "count = count + 1", loop=loop).end()
    d = Driver(b.chain("start", "inc", "end"))
    d.start(count=0)
    assert d.variables["count"] == 4


def test_completing_one_parallel_instance_touches_only_that_instance_and_its_scopes() -> None:
    from bpmn_engine.runtime import advance

    d = Driver(_user_mi(loop_cardinality="200"))
    d.start()
    wait = next(w for w in d.state.waits.values() if w.node_id == "review")
    token_id, scope_id = wait.token_id, wait.scope_id
    touched = d.state.track()
    advance(d.process, d.state, _complete(wait.id, ok=True), d.now, definitions=d.definitions)
    assert touched["tokens"] == {token_id}
    assert touched["waits"] == {wait.id}
    assert scope_id in touched["scopes"]
    assert len(touched["scopes"]) <= 3  # the instance's scope, the body, the root
    assert len(d.state.tokens) == 200


def test_a_tracked_state_notes_what_a_scan_touches() -> None:
    d = Driver(_user_mi(loop_cardinality="3"))
    d.start()
    touched = d.state.track()
    assert touched["tokens"] == set()
    list(d.state.tokens.values())
    assert touched["tokens"] == set(d.state.tokens)
    assert d.state.track() is not touched and d.state.track()["tokens"] is touched["tokens"]
