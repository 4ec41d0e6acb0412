"""Due timers fire in batches: one transaction and one instance lock statement per
batch, timers of one instance one after the other, and a failing batch falls back to one
command per timer so the others still fire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bpmn_engine.models import Incident, ProcessInstance, Timer
from bpmn_engine.services import deploy_definition, fire_due_timers, fire_timers, start_instance
from tests.services.conftest import T0
from tests.services.diagrams import flows, process

pytestmark = pytest.mark.django_db

TIMER = (
    '<bpmn:intermediateCatchEvent id="{id}"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition>"
    "</bpmn:intermediateCatchEvent>"
)
ONE_TIMER = process(
    "wait_once",
    '<bpmn:startEvent id="S"/>'
    + TIMER.format(id="W", duration="PT1M")
    + '<bpmn:endEvent id="E"/>'
    + flows(("S", "W"), ("W", "E")),
)
TWO_BRANCHES = process(
    "two_waits",
    '<bpmn:startEvent id="S"/><bpmn:parallelGateway id="Fork"/>'
    + TIMER.format(id="A", duration="PT1M")
    + TIMER.format(id="B", duration="PT2M")
    + '<bpmn:parallelGateway id="Join"/><bpmn:endEvent id="E"/>'
    + flows(("S", "Fork"), ("Fork", "A"), ("Fork", "B"), ("A", "Join"), ("B", "Join"))
    + '<bpmn:sequenceFlow id="f9" sourceRef="Join" targetRef="E"/>',
)
RACE = process(
    "race",
    '<bpmn:startEvent id="S"/><bpmn:eventBasedGateway id="G"/>'
    + TIMER.format(id="Early", duration="PT1M")
    + TIMER.format(id="Late", duration="PT2M")
    + '<bpmn:endEvent id="E1"/><bpmn:endEvent id="E2"/>'
    + flows(("S", "G"), ("G", "Early"), ("G", "Late"), ("Early", "E1"), ("Late", "E2")),
)
# After the timer, a loop with no wait state: runs out of any step budget.
LOOPS = process(
    "loops",
    '<bpmn:startEvent id="S"/>'
    + TIMER.format(id="W", duration="PT1M")
    + '<bpmn:exclusiveGateway id="G"/><bpmn:task id="Spin"/>'
    + flows(("S", "W"), ("W", "G"), ("G", "Spin"), ("Spin", "G")),
)


def deploy(name: str, xml: bytes) -> None:
    deploy_definition(name=name, resources={f"{name}.bpmn": xml})


def instance_locks(queries) -> int:
    """Statements that read instance rows by id (the locks, and the same reads on SQLite)."""
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and 'FROM "bpmn_engine_processinstance"' in q["sql"]
    )


def test_a_batch_of_due_timers_locks_its_instances_in_one_statement():
    deploy("wait_once", ONE_TIMER)
    instances = [start_instance(definition_key="wait_once", now=T0) for _ in range(20)]
    with CaptureQueriesContext(connection) as queries:
        fired = fire_due_timers(now=T0 + timedelta(minutes=5))
    assert fired == 20
    assert set(
        ProcessInstance.objects.filter(pk__in=[i.pk for i in instances]).values_list(
            "status", flat=True
        )
    ) == {"completed"}
    # one claim (with its suspended-instance subquery) and one lock for all 20
    assert instance_locks(queries) <= 2
    assert len(queries) < 20 * 8  # one command per timer took 11 statements each


def test_timers_of_one_instance_fire_in_one_batch_one_after_the_other():
    deploy("two_waits", TWO_BRANCHES)
    instance = start_instance(definition_key="two_waits", now=T0)
    assert fire_due_timers(now=T0 + timedelta(minutes=5)) == 2
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert set(Timer.objects.filter(instance=instance).values_list("state", flat=True)) == {"fired"}


def test_a_timer_withdrawn_by_an_earlier_one_in_its_batch_does_not_fire():
    deploy("race", RACE)
    instance = start_instance(definition_key="race", now=T0)
    assert fire_due_timers(now=T0 + timedelta(minutes=5)) == 1
    instance.refresh_from_db()
    assert instance.status == "completed"
    states = dict(Timer.objects.filter(instance=instance).values_list("node_id", "state"))
    assert states == {"Early": "fired", "Late": "cancelled"}


def test_a_timer_that_runs_out_of_budget_costs_the_rest_of_its_batch_nothing(settings):
    settings.PROCESSION_COMMAND_MAX_STEPS = 60
    deploy("wait_once", ONE_TIMER)
    deploy("loops", LOOPS)
    good = [start_instance(definition_key="wait_once", now=T0) for _ in range(3)]
    bad = start_instance(definition_key="loops", now=T0)
    timer_ids = list(Timer.objects.order_by("pk").values_list("pk", flat=True))
    assert fire_timers(timer_ids=timer_ids, now=T0 + timedelta(minutes=5)) == 3
    assert set(
        ProcessInstance.objects.filter(pk__in=[i.pk for i in good]).values_list("status", flat=True)
    ) == {"completed"}
    assert Incident.objects.filter(instance=bad, kind="command-budget").count() == 1
    assert Timer.objects.get(instance=bad).state == "scheduled"


def test_a_full_batch_calls_for_help_once():
    deploy("wait_once", ONE_TIMER)
    for _ in range(5):
        start_instance(definition_key="wait_once", now=T0)
    calls: list[int] = []
    fired = fire_due_timers(
        now=T0 + timedelta(minutes=5), limit=2, call_for_help=lambda: calls.append(1)
    )
    assert (fired, len(calls)) == (5, 1)
    calls.clear()
    start_instance(definition_key="wait_once", now=T0)
    fire_due_timers(now=T0 + timedelta(minutes=5), limit=2, call_for_help=lambda: calls.append(1))
    assert calls == []


def test_a_batch_of_ten_timers_runs_no_more_statements_than_a_batch_of_two():
    """Each write-path statement runs once for the whole batch (ten timers stay within
    SQLite's bound parameters for the audit insert, which it splits beyond that)."""
    deploy("wait_once", ONE_TIMER)

    def drain(count: int, day: int) -> int:
        start = T0 + timedelta(days=day)
        for _ in range(count):
            start_instance(definition_key="wait_once", now=start)
        with CaptureQueriesContext(connection) as queries:
            assert fire_due_timers(now=start + timedelta(minutes=5)) == count
        return len(queries)

    assert drain(10, 1) == drain(2, 0)


def test_a_poll_asks_to_be_woken_when_the_next_timer_falls_due_before_the_next_poll():
    deploy("wait_once", ONE_TIMER)
    start_instance(definition_key="wait_once", now=timezone.now() - timedelta(seconds=30))
    wakes: list[float] = []
    assert fire_due_timers(wake=wakes.append, horizon=60.0) == 0  # due in 30 s, polls every 60
    assert len(wakes) == 1
    assert 0.0 <= wakes[0] <= 30.0


def test_a_poll_asks_for_no_wake_when_the_next_timer_is_further_than_one_poll_away():
    deploy("wait_once", ONE_TIMER)
    start_instance(definition_key="wait_once", now=timezone.now())
    wakes: list[float] = []
    assert fire_due_timers(wake=wakes.append, horizon=1.0) == 0
    assert wakes == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_a_claim_reads_the_timers_it_takes_however_many_are_due_at_that_instant():
    """Thousands of timers due at one instant: a claim of ten reads about ten timer rows
    (in the scheduled timers' ``(due_at, id)`` order), not every due one, and the
    suspension test probes each candidate's instance (an anti-join may scan them all)."""
    import json

    from bpmn_engine.models import ProcessDefinition
    from bpmn_engine.persistence import timer_rows

    deploy("wait_once", ONE_TIMER)
    instance = start_instance(definition_key="wait_once", now=T0)
    template = Timer.objects.get(instance=instance)
    definition = ProcessDefinition.objects.get(key="wait_once")
    Timer.objects.bulk_create(
        Timer(
            definition=definition,
            wait_id=f"w{n}",
            node_id="W",
            kind=template.kind,
            expression=template.expression,
            due_at=T0,
            state="fired" if n % 2 else "scheduled",
            created_at=T0,
        )
        for n in range(4000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bpmn_engine_timer")
        cursor.execute("ANALYZE bpmn_engine_processinstance")
        now = T0 + timedelta(minutes=5)
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + timer_rows._claim_sql(True),
            [now + timedelta(minutes=1), "scheduled", now, now, 10],
        )
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    found = list(nodes(plan[0]["Plan"]))
    timer_scans = [n for n in found if n.get("Relation Name") == "bpmn_engine_timer"]
    assert not [n for n in found if "Sort" in n["Node Type"]]
    assert max(n["Actual Rows"] * n["Actual Loops"] for n in timer_scans) <= 20
    # the suspension test is a subquery per candidate, not an anti-join over the instances
    assert not [n for n in found if n.get("Join Type") == "Anti"]
