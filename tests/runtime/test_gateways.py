"""Conformance: exclusive, parallel, inclusive and event-based gateways."""

from __future__ import annotations

from datetime import timedelta

from bpmn_engine.runtime import (
    IncidentRaised,
    IncidentResolved,
    RetryIncident,
    SetVariables,
    SubscriptionClosed,
    TimerCancelled,
    TimerScheduled,
)
from tests.runtime.builder import ProcessBuilder, message, timer
from tests.runtime.harness import Driver


def _exclusive(default: bool) -> ProcessBuilder:
    b = ProcessBuilder().start().xor("gw", default="f_low" if default else None)
    b.user_task("high").user_task("low").end("e1").end("e2")
    b.flow("start", "gw").flow("gw", "high", "amount > 100", "f_high")
    b.flow("gw", "low", "amount < 0" if not default else None, "f_low")
    return b.chain("high", "e1").chain("low", "e2")


def test_exclusive_gateway_takes_the_first_matching_flow() -> None:
    d = Driver(_exclusive(default=True))
    d.start(amount=500)
    assert d.token_nodes() == ["high"]


def test_exclusive_gateway_takes_the_default_when_nothing_matches() -> None:
    d = Driver(_exclusive(default=True))
    d.start(amount=5)
    assert d.token_nodes() == ["low"]


def test_exclusive_gateway_without_matching_flow_and_default_raises_incident() -> None:
    d = Driver(_exclusive(default=False))
    d.start(amount=5)
    incident = d.of(IncidentRaised)[0]
    assert (incident.node_id, incident.kind) == ("gw", "no-outgoing-flow")
    assert d.state.status == "active" and d.token_nodes() == ["gw"]


def test_retry_incident_re_executes_the_gateway() -> None:
    d = Driver(_exclusive(default=False))
    d.start(amount=5)
    incident_id = d.of(IncidentRaised)[0].incident_id
    d.send(SetVariables({"amount": 1000}))
    effects = d.send(RetryIncident(incident_id))
    assert d.of(IncidentResolved, effects)[0].incident_id == incident_id
    assert d.token_nodes() == ["high"] and not d.state.incidents


def test_condition_error_raises_an_expression_incident() -> None:
    d = Driver(_exclusive(default=True))
    d.start()
    assert d.of(IncidentRaised)[0].kind == "expression"


def _parallel() -> ProcessBuilder:
    b = ProcessBuilder().start().parallel("fork").user_task("a").user_task("b")
    b.parallel("join").user_task("after").end()
    return (
        b.chain("start", "fork")
        .chain("fork", "a", "join")
        .chain("fork", "b", "join")
        .chain("join", "after", "end")
    )


def test_parallel_gateway_forks_on_every_flow() -> None:
    d = Driver(_parallel())
    d.start()
    assert d.token_nodes() == ["a", "b"]


def test_parallel_join_waits_for_every_incoming_flow() -> None:
    d = Driver(_parallel())
    d.start()
    d.complete("a")
    assert d.token_nodes() == ["b", "join"]
    d.complete("b")
    assert d.token_nodes() == ["after"]
    d.complete("after")
    assert d.state.status == "completed"


def test_parallel_join_counts_flows_not_tokens() -> None:
    # a loop delivers two tokens on the same flow: the join must still wait for the other
    b = ProcessBuilder().start().parallel("fork").user_task("a").user_task("b")
    b.parallel("join").user_task("after").end().xor("again")
    b.chain("start", "fork").chain("fork", "a", "again").flow("again", "join", "done", "f_done")
    b.flow("again", "a", "not done", "f_again").chain("fork", "b", "join", "after", "end")
    d = Driver(b)
    d.start(done=True)
    d.complete("a")
    d.send(SetVariables({"done": True}))
    assert d.token_nodes() == ["b", "join"]
    d.complete("b")
    assert d.token_nodes() == ["after"]


def test_second_token_on_the_same_flow_waits_for_the_next_firing() -> None:
    b = ProcessBuilder().start().parallel("fork").user_task("a1").user_task("a2")
    b.user_task("b").xor("merge").parallel("join").user_task("after").end()
    b.chain("start", "fork").chain("fork", "a1", "merge").chain("fork", "a2", "merge")
    b.chain("merge", "join").chain("fork", "b", "join", "after", "end")
    d = Driver(b)
    d.start()
    d.complete("a1")
    d.complete("a2")
    assert d.token_nodes() == ["b", "join", "join"]
    d.complete("b")
    assert d.token_nodes() == ["after", "join"]


def _inclusive() -> ProcessBuilder:
    b = ProcessBuilder().start().inclusive("fork", default="f_c").user_task("a")
    b.user_task("b").user_task("c").inclusive("join").user_task("after").end()
    b.flow("start", "fork").flow("fork", "a", "x > 1", "f_a").flow("fork", "b", "x > 2", "f_b")
    b.flow("fork", "c", None, "f_c")
    return b.chain("a", "join").chain("b", "join").chain("c", "join", "after", "end")


def test_inclusive_gateway_forks_on_every_true_condition() -> None:
    d = Driver(_inclusive())
    d.start(x=5)
    assert d.token_nodes() == ["a", "b"]


def test_inclusive_gateway_takes_the_default_when_no_condition_holds() -> None:
    d = Driver(_inclusive())
    d.start(x=0)
    assert d.token_nodes() == ["c"]


def test_inclusive_join_waits_for_every_taken_branch() -> None:
    d = Driver(_inclusive())
    d.start(x=5)
    d.complete("a")
    assert d.token_nodes() == ["b", "join"]
    d.complete("b")
    assert d.token_nodes() == ["after"]


def test_inclusive_join_does_not_wait_for_a_branch_that_was_not_taken() -> None:
    d = Driver(_inclusive())
    d.start(x=2)
    assert d.token_nodes() == ["a"]
    d.complete("a")
    assert d.token_nodes() == ["after"]


def test_inclusive_join_fires_when_the_blocking_token_ends_elsewhere() -> None:
    b = ProcessBuilder().start().parallel("fork").user_task("a").user_task("b")
    b.xor("route").inclusive("join").end("e_side").end()
    b.chain("start", "fork").chain("fork", "a", "join").chain("fork", "b", "route")
    b.flow("route", "join", "go", "f_go").flow("route", "e_side", "not go", "f_side")
    b.chain("join", "end")
    d = Driver(b)
    d.start(go=False)
    d.complete("a")
    assert d.token_nodes() == ["b", "join"]
    d.complete("b")
    assert d.state.status == "completed"


def _event_gateway() -> ProcessBuilder:
    b = ProcessBuilder().start().event_gateway("gw").catch("paid", message("M"))
    b.catch("timeout", timer("duration", "PT1H")).end("e1").end("e2").message("M", "payment")
    return b.chain("start", "gw").chain("gw", "paid", "e1").chain("gw", "timeout", "e2")


def test_event_based_gateway_subscribes_to_every_following_event() -> None:
    d = Driver(_event_gateway())
    d.start()
    assert sorted(w.node_id for w in d.state.waits.values()) == ["paid", "timeout"]
    assert d.of(TimerScheduled)[0].due_at == d.now + timedelta(hours=1)


def test_event_based_gateway_withdraws_the_other_waits_when_one_fires() -> None:
    d = Driver(_event_gateway())
    d.start()
    timer_wait = d.wait_at("timeout")
    effects = d.correlate("paid", ok=True)
    assert d.of(TimerCancelled, effects)[0].wait_id == timer_wait
    assert d.state.status == "completed" and d.variables == {"ok": True}


def test_event_based_gateway_timer_wins_and_closes_the_subscription() -> None:
    d = Driver(_event_gateway())
    d.start()
    message_wait = d.wait_at("paid")
    effects = d.fire("timeout", timedelta(hours=1))
    assert d.of(SubscriptionClosed, effects)[0].wait_id == message_wait
    assert d.state.status == "completed"
