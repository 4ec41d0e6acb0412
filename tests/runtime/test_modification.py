"""Process instance modification: moving a token from one element to another."""

from __future__ import annotations

import pytest

from bpmn_engine.runtime import (
    ActivityCancelled,
    IncidentRaised,
    IncidentResolved,
    JobCancelled,
    ModificationError,
    MoveToken,
    UserTaskCancelled,
    UserTaskCreated,
)
from tests.runtime.builder import ProcessBuilder
from tests.runtime.harness import Driver


def _review_chain() -> Driver:
    b = ProcessBuilder().start().user_task("review").service_task("charge").user_task("ship")
    return Driver(b.end().chain("start", "review", "charge", "ship", "end"))


def test_moving_a_token_cancels_the_source_task_and_opens_the_target() -> None:
    d = _review_chain()
    d.start()
    effects = d.send(MoveToken("review", "ship"))
    assert d.token_nodes() == ["ship"]
    assert d.of(UserTaskCancelled, effects) and d.of(UserTaskCreated, effects)[0].node_id == "ship"
    assert [e.node_id for e in d.of(ActivityCancelled, effects)] == ["review"]
    d.complete("ship")
    assert d.state.status == "completed"


def test_moving_a_token_backwards_runs_the_skipped_part_again() -> None:
    d = _review_chain()
    d.start()
    d.complete("review")
    effects = d.send(MoveToken("charge", "review"))
    assert d.of(JobCancelled, effects) and d.token_nodes() == ["review"]


def test_moving_a_token_out_of_an_incident_resolves_the_incident() -> None:
    b = ProcessBuilder().start().script_task("s", "y = x + 1").user_task("u").end()
    d = Driver(b.chain("start", "s", "u", "end"))
    d.start()
    assert d.of(IncidentRaised)
    effects = d.send(MoveToken("s", "u"))
    assert d.of(IncidentResolved, effects) and not d.state.incidents
    assert d.token_nodes() == ["u"]


def test_moving_inside_a_subprocess_keeps_the_subprocess_scope() -> None:
    b = ProcessBuilder().start().user_task("after").end()
    sub = b.subprocess("sub")
    sub.start("s_start").user_task("first").user_task("second").end("s_end")
    sub.chain("s_start", "first", "second", "s_end")
    d = Driver(b.chain("start", "sub", "after", "end"))
    d.start()
    d.send(MoveToken("first", "second"))
    assert sorted(d.token_nodes()) == ["second", "sub"]
    d.complete("second")
    assert d.token_nodes() == ["after"]


def test_moving_from_an_element_without_a_token_is_refused_before_any_change() -> None:
    d = _review_chain()
    d.start()
    before = d.state.to_dict()
    with pytest.raises(ModificationError, match="no token is there"):
        d.send(MoveToken("ship", "review"))
    assert d.state.to_dict() == before


def test_moving_to_an_unknown_element_is_refused() -> None:
    d = _review_chain()
    d.start()
    with pytest.raises(ModificationError, match="no flow node"):
        d.send(MoveToken("review", "nowhere"))
    assert d.token_nodes() == ["review"]
