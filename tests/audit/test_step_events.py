"""The audit entries of one engine step, built from its effects (no database): an
activity that starts and completes in the same step is one ``activity.completed`` entry
marked ``passed``; every other start, completion and cancellation keeps its own entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bpmn_engine.audit.effects import Before, StepEvents
from bpmn_engine.audit.writer import SYSTEM
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime import triggers as tr

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def build(*effects: fx.Effect, at: datetime = NOW) -> list[tuple[str, str, bool]]:
    step = StepEvents(
        instance_id=7,
        definition_id=3,
        actor=SYSTEM,
        now=at,
        before=Before(wait_node="Review", wait_data={}),
        trigger=tr.CompleteUserTask(wait_id="w1"),
    )
    return [
        (e.event_type, e.element_id or e.data.get("name", ""), bool(e.data.get("passed")))
        for e in step.build(list(effects))
    ]


def started(node: str, token: str = "t1", at: datetime = NOW) -> fx.ActivityStarted:
    return fx.ActivityStarted(node, token, "root", "scriptTask", node, at)


def completed(node: str, token: str = "t1", at: datetime = NOW) -> fx.ActivityCompleted:
    return fx.ActivityCompleted(node, token, "root", "scriptTask", node, at)


def cancelled(node: str, token: str = "t1") -> fx.ActivityCancelled:
    return fx.ActivityCancelled(node, token, "root", "scriptTask", node, NOW)


def variables(**changes: object) -> fx.VariablesChanged:
    return fx.VariablesChanged("root", changes)


def test_activity_started_and_completed_in_one_step_is_one_passed_completion_in_its_place():
    entries = build(
        completed("Review"),
        started("Notify"),
        variables(notified=True),
        completed("Notify"),
        started("Done"),
        completed("Done"),
    )
    assert entries == [
        ("activity.completed", "Review", False),
        ("variable.created", "notified", False),
        ("activity.completed", "Notify", True),
        ("activity.completed", "Done", True),
    ]


def test_activity_left_waiting_keeps_its_start_and_one_started_earlier_completes_plainly():
    entries = build(completed("Review"), started("Approve"))
    assert entries == [
        ("activity.completed", "Review", False),
        ("activity.started", "Approve", False),
    ]


def test_token_looping_back_to_the_task_it_left_records_the_new_start():
    entries = build(completed("Review"), started("Check"), completed("Check"), started("Review"))
    assert entries == [
        ("activity.completed", "Review", False),
        ("activity.completed", "Check", True),
        ("activity.started", "Review", False),
    ]


def test_activity_passed_twice_in_one_step_is_two_passed_completions():
    entries = build(started("Count"), completed("Count"), started("Count"), completed("Count"))
    assert entries == [("activity.completed", "Count", True)] * 2


def test_activity_started_and_cancelled_in_one_step_keeps_both_entries():
    entries = build(started("Wait"), cancelled("Wait"))
    assert entries == [("activity.started", "Wait", False), ("activity.cancelled", "Wait", False)]


def test_parallel_tokens_on_one_activity_pair_by_token():
    entries = build(started("Work", "t1"), started("Work", "t2"), completed("Work", "t2"))
    assert entries == [
        ("activity.started", "Work", False),
        ("activity.completed", "Work", True),
    ]


def test_completion_at_another_time_than_its_start_keeps_both_entries():
    entries = build(started("Slow"), completed("Slow", at=NOW + timedelta(seconds=1)))
    assert entries == [
        ("activity.started", "Slow", False),
        ("activity.completed", "Slow", False),
    ]
