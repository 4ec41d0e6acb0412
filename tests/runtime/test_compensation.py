"""Compensation (sagas) and transactions on the pure core."""

from __future__ import annotations

from bpmn_engine.bpmn import model as m
from bpmn_engine.runtime import ActivityCompleted, CompleteJob, JobCreated, ThrowBpmnError
from tests.runtime.builder import ProcessBuilder, cancel, compensate, error, multi
from tests.runtime.harness import Driver


def _jobs(d: Driver) -> list[str]:
    return [e.node_id for e in d.of(JobCreated)]


def _saga() -> ProcessBuilder:
    b = ProcessBuilder("saga").start()
    b.service_task("book_flight").service_task("book_hotel").service_task("charge_card")
    b.end().end("compensated", compensate()).error("e", "CARD_DECLINED")
    b.chain("start", "book_flight", "book_hotel", "charge_card", "end")
    b.compensation("book_flight", "cancel_flight")
    b.compensation("book_hotel", "cancel_hotel")
    b.compensation("charge_card", "refund_card")
    b.boundary("declined", "charge_card", error("e")).chain("declined", "compensated")
    return b


def test_compensation_end_event_runs_handlers_in_reverse_order_of_completion() -> None:
    d = Driver(_saga())
    d.start()
    d.complete_job("book_flight")
    d.complete_job("book_hotel")
    d.send(ThrowBpmnError(d.wait_at("charge_card"), "CARD_DECLINED"))
    assert _jobs(d)[-1] == "cancel_hotel"
    assert len(d.state.open_waits("job")) == 1  # one handler at a time
    d.complete_job("cancel_hotel")
    assert _jobs(d)[-1] == "cancel_flight"
    d.complete_job("cancel_flight")
    assert d.state.status == "completed"
    assert _jobs(d) == ["book_flight", "book_hotel", "charge_card", "cancel_hotel", "cancel_flight"]
    assert "refund_card" not in _jobs(d)


def test_compensation_handlers_run_only_for_completed_activities() -> None:
    b = ProcessBuilder().start().service_task("a").service_task("b")
    b.throw("undo", compensate()).end().chain("start", "a", "undo", "b", "end")
    b.compensation("a", "undo_a").compensation("b", "undo_b")
    d = Driver(b)
    d.start()
    d.complete_job("a")
    assert _jobs(d)[-1] == "undo_a"
    d.complete_job("undo_a")
    d.complete_job("b")
    assert d.state.status == "completed" and "undo_b" not in _jobs(d)


def test_compensation_handlers_run_once_each() -> None:
    b = ProcessBuilder().start().service_task("a").throw("undo1", compensate())
    b.throw("undo2", compensate()).end().chain("start", "a", "undo1", "undo2", "end")
    b.compensation("a", "undo_a")
    d = Driver(b)
    d.start()
    d.complete_job("a")
    d.complete_job("undo_a")
    assert d.state.status == "completed"
    assert _jobs(d).count("undo_a") == 1


def test_compensation_throw_with_activity_ref_compensates_only_that_activity() -> None:
    b = ProcessBuilder().start().service_task("a").service_task("b")
    b.throw("undo_b_only", compensate("b")).user_task("next").end()
    b.chain("start", "a", "b", "undo_b_only", "next", "end")
    b.compensation("a", "undo_a").compensation("b", "undo_b")
    d = Driver(b)
    d.start()
    d.complete_job("a")
    d.complete_job("b")
    assert _jobs(d)[-1] == "undo_b"
    d.complete_job("undo_b")
    assert d.wait_at("next")
    assert "undo_a" not in _jobs(d)


def test_compensation_handler_sees_the_snapshot_of_the_activity_variables() -> None:
    io = m.IoMapping(inputs=(m.Parameter(name="booking", value="${ref}"),))
    b = ProcessBuilder().start().service_task("a", io_mapping=io)
    b.throw("undo", compensate()).end().chain("start", "a", "undo", "end")
    b.compensation("a", "undo_a")
    d = Driver(b)
    d.start(ref="B-1")
    d.complete_job("a")
    job = d.of(JobCreated)[-1]
    assert d.state.visible_variables(job.scope_id)["booking"] == "B-1"


def test_compensation_inside_a_subprocess_compensates_its_own_activities() -> None:
    b = ProcessBuilder().start()
    sub = b.subprocess("sub")
    sub.start("s_start").service_task("a").throw("undo", compensate()).end("s_end")
    sub.chain("s_start", "a", "undo", "s_end")
    sub.compensation("a", "undo_a")
    b.end().chain("start", "sub", "end")
    d = Driver(b)
    d.start()
    d.complete_job("a")
    d.complete_job("undo_a")
    assert d.state.status == "completed"


def test_compensating_a_completed_subprocess_compensates_its_inner_activities() -> None:
    b = ProcessBuilder().start()
    sub = b.subprocess("sub")
    sub.start("s_start").service_task("a").service_task("b").end("s_end")
    sub.chain("s_start", "a", "b", "s_end")
    sub.compensation("a", "undo_a").compensation("b", "undo_b")
    b.service_task("after").throw("undo", compensate()).end()
    b.chain("start", "sub", "after", "undo", "end").compensation("after", "undo_after")
    d = Driver(b)
    d.start()
    for node in ("a", "b", "after"):
        d.complete_job(node)
    for node in ("undo_after", "undo_b", "undo_a"):
        assert _jobs(d)[-1] == node
        d.complete_job(node)
    assert d.state.status == "completed"


def test_compensation_event_subprocess_is_the_handler_of_its_subprocess() -> None:
    b = ProcessBuilder().start()
    sub = b.subprocess("sub")
    sub.start("s_start").service_task("a").end("s_end").chain("s_start", "a", "s_end")
    sub.compensation("a", "undo_a")
    esp = sub.subprocess("on_compensate", triggered_by_event=True)
    esp.start("c_start", m.CompensateEventDefinition()).service_task("notify")
    esp.throw("c_throw", compensate()).end("c_end")
    esp.chain("c_start", "notify", "c_throw", "c_end")
    b.throw("undo", compensate()).end().chain("start", "sub", "undo", "end")
    d = Driver(b)
    d.start()
    d.complete_job("a")
    assert _jobs(d)[-1] == "notify"
    d.complete_job("notify")
    assert _jobs(d)[-1] == "undo_a"
    d.complete_job("undo_a")
    assert d.state.status == "completed"


def test_compensation_of_a_multi_instance_activity_runs_once_per_instance() -> None:
    b = ProcessBuilder().start()
    b.service_task(
        "book", loop=multi(collection="${legs}", element_variable="leg", is_sequential=True)
    )
    b.throw("undo", compensate()).end().chain("start", "book", "undo", "end")
    b.compensation("book", "unbook")
    d = Driver(b)
    d.start(legs=["x", "y", "z"])
    for _ in range(3):
        d.complete_job("book")
    legs = []
    for _ in range(3):
        job = d.of(JobCreated)[-1]
        legs.append(d.state.visible_variables(job.scope_id)["leg"])
        d.complete_job("unbook")
    assert legs == ["z", "y", "x"]
    assert d.state.status == "completed"


def test_compensation_inside_a_multi_instance_subprocess() -> None:
    b = ProcessBuilder().start()
    sub = b.subprocess("sub", loop=multi(loop_cardinality="2"))
    sub.start("s_start").service_task("a").throw("undo", compensate()).end("s_end")
    sub.chain("s_start", "a", "undo", "s_end").compensation("a", "undo_a")
    b.end().chain("start", "sub", "end")
    d = Driver(b)
    d.start()
    for node in ("a", "a", "undo_a", "undo_a"):
        wait = next(w for w in d.state.waits.values() if w.node_id == node)
        d.send(CompleteJob(wait.id))
    assert d.state.status == "completed"


def _transaction() -> ProcessBuilder:
    b = ProcessBuilder().start()
    tx = b.subprocess("tx", m.Transaction)
    tx.start("t_start").service_task("reserve").user_task("confirm")
    tx.xor("ok?").end("t_end").end("t_cancel", cancel())
    tx.chain("t_start", "reserve", "confirm", "ok?")
    tx.flow("ok?", "t_end", "${ok}").flow("ok?", "t_cancel", "${not ok}")
    tx.compensation("reserve", "release")
    b.end().end("cancelled_end").chain("start", "tx", "end")
    b.boundary("on_cancel", "tx", cancel()).chain("on_cancel", "cancelled_end")
    return b


def test_transaction_cancel_end_compensates_then_leaves_by_the_cancel_boundary() -> None:
    d = Driver(_transaction())
    d.start()
    d.complete_job("reserve")
    d.complete("confirm", ok=False)
    assert _jobs(d)[-1] == "release"
    d.complete_job("release")
    assert d.state.status == "completed"
    assert "tx" not in d.state.completed_activities
    assert any(e.node_id == "on_cancel" for e in d.of(ActivityCompleted))


def test_transaction_that_completes_leaves_normally() -> None:
    d = Driver(_transaction())
    d.start()
    d.complete_job("reserve")
    d.complete("confirm", ok=True)
    assert d.state.status == "completed" and "release" not in _jobs(d)
    assert "tx" in d.state.completed_activities


def test_saga_demo_diagram_cancels_hotel_then_flight_and_never_refunds_the_card() -> None:
    from pathlib import Path

    from bpmn_engine.bpmn import parse_bpmn

    source = Path(__file__).resolve().parents[2] / "fixtures/bpmn/saga/trip_booking.bpmn"
    d = Driver(parse_bpmn(source.read_bytes()))
    d.start()
    d.complete_job("BookFlight")
    d.complete_job("BookHotel")
    d.send(ThrowBpmnError(d.wait_at("ChargeCard"), "CARD_DECLINED"))
    d.complete_job("CancelHotel")
    d.complete_job("CancelFlight")
    assert d.state.status == "completed"
    assert [e.job_type for e in d.of(JobCreated)] == [
        "book-flight",
        "book-hotel",
        "charge-card",
        "cancel-hotel",
        "cancel-flight",
    ]
