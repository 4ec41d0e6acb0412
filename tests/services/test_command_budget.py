"""A command that would run forever (a cycle or loop without a wait state, a huge
multi-instance) ends within its budget: a start is refused with a typed error, a running
instance is rolled back and gets an incident on the element that looped, and the
instance row is never left locked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from bpmn_engine.errors import CommandBudgetExceededError, EngineError
from bpmn_engine.models import Incident, ProcessInstance, UserTask
from bpmn_engine.models.work import IncidentState
from bpmn_engine.persistence import sql
from bpmn_engine.services import (
    complete_user_task,
    deploy_definition,
    retry_incident,
    start_instance,
)
from bpmn_engine.services.limits import encoded_size, stored_size
from tests.services.diagrams import flows, process, row_is_unlocked

pytestmark = pytest.mark.django_db(transaction=True)

CYCLE = process(
    "cycle",
    '<bpmn:startEvent id="start"/><bpmn:manualTask id="a"/><bpmn:manualTask id="b"/>'
    + flows(("start", "a"), ("a", "b"), ("b", "a")),
)
CYCLE_AFTER_TASK = process(
    "cycle_after_task",
    '<bpmn:startEvent id="start"/><bpmn:userTask id="review" camunda:assignee="sally"/>'
    '<bpmn:manualTask id="a"/><bpmn:manualTask id="b"/>'
    + flows(("start", "review"), ("review", "a"), ("a", "b"), ("b", "a")),
)
ENDLESS_LOOP = process(
    "endless_loop",
    '<bpmn:startEvent id="start"/><bpmn:manualTask id="again">'
    '<bpmn:standardLoopCharacteristics loopMaximum="1000000000">'
    "<bpmn:loopCondition>${true}</bpmn:loopCondition>"
    '</bpmn:standardLoopCharacteristics></bpmn:manualTask><bpmn:endEvent id="end"/>'
    + flows(("start", "again"), ("again", "end")),
)


def multi_instance(process_id: str, cardinality: str) -> bytes:
    return process(
        process_id,
        '<bpmn:startEvent id="start"/><bpmn:userTask id="many" camunda:assignee="sally">'
        '<bpmn:multiInstanceLoopCharacteristics isSequential="false">'
        f"<bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>"
        '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask><bpmn:endEvent id="end"/>'
        + flows(("start", "many"), ("many", "end")),
    )


def deploy(name: str, xml: bytes) -> None:
    deploy_definition(name=name, resources={f"{name}.bpmn": xml})


@pytest.fixture
def sally(db):
    return User.objects.create_user("sally", password="x")


@pytest.fixture
def small_budget(settings):
    settings.PROCESSION_COMMAND_MAX_STEPS = 2_000


def test_a_wait_free_cycle_refuses_the_start_and_leaves_nothing(small_budget):
    deploy("cycle", CYCLE)
    with pytest.raises(CommandBudgetExceededError) as refused:
        start_instance(definition_key="cycle")
    assert refused.value.code == "command-budget-exceeded"
    assert refused.value.node_id in {"a", "b"}
    assert refused.value.instance_id is None
    assert not ProcessInstance.objects.exists()


def test_a_wait_free_cycle_is_refused_within_the_default_budget():
    deploy("cycle", CYCLE)
    with pytest.raises(CommandBudgetExceededError, match="100000 steps"):
        start_instance(definition_key="cycle")


def test_a_wait_free_cycle_after_a_task_rolls_back_and_records_an_incident(sally, small_budget):
    deploy("cycle_after_task", CYCLE_AFTER_TASK)
    instance = start_instance(definition_key="cycle_after_task")
    task = UserTask.objects.get(instance=instance)
    with pytest.raises(CommandBudgetExceededError) as refused:
        complete_user_task(task_id=task.pk, user=sally)
    assert refused.value.instance_id == instance.pk
    incident = Incident.objects.get(instance=instance)
    assert (incident.kind, incident.state) == ("command-budget", IncidentState.OPEN)
    assert incident.node_id in {"a", "b"}
    assert "2000 steps" in incident.message
    task.refresh_from_db()
    assert task.state == "open"  # rolled back: the task still waits
    instance.refresh_from_db()
    assert instance.status == "active"
    assert row_is_unlocked(instance.pk)


def test_the_budget_incident_is_recorded_once_and_resolved_by_retry(sally, small_budget):
    deploy("cycle_after_task", CYCLE_AFTER_TASK)
    instance = start_instance(definition_key="cycle_after_task")
    task = UserTask.objects.get(instance=instance)
    for _ in range(2):
        with pytest.raises(CommandBudgetExceededError):
            complete_user_task(task_id=task.pk, user=sally)
    incident = Incident.objects.get(instance=instance)
    resolved = retry_incident(incident_id=incident.pk)
    assert resolved.state == IncidentState.RESOLVED


def test_a_standard_loop_that_never_ends_is_refused(small_budget):
    deploy("endless_loop", ENDLESS_LOOP)
    with pytest.raises(CommandBudgetExceededError) as refused:
        start_instance(definition_key="endless_loop")
    assert refused.value.node_id == "again"
    assert not ProcessInstance.objects.exists()


def test_the_wall_time_budget_stops_a_command(settings):
    settings.PROCESSION_COMMAND_MAX_STEPS = 10**9
    settings.PROCESSION_COMMAND_MAX_SECONDS = 0.05
    deploy("cycle", CYCLE)
    with pytest.raises(CommandBudgetExceededError, match="seconds"):
        start_instance(definition_key="cycle")


@pytest.mark.parametrize(
    ("cardinality", "variables"),
    [("10000000", {}), ("${n}", {"n": 10**7}), ("1e400", {})],
    ids=["literal", "from-a-variable", "not-a-finite-number"],
)
def test_a_huge_multi_instance_cardinality_becomes_an_incident(cardinality, variables):
    deploy("many", multi_instance("fan_out", cardinality))
    instance = start_instance(definition_key="fan_out", variables=variables)
    incident = Incident.objects.get(instance=instance)
    assert (incident.node_id, incident.kind) == ("many", "multi-instance")
    assert not UserTask.objects.exists()
    assert row_is_unlocked(instance.pk)


def test_the_cardinality_limit_is_configurable(settings):
    settings.PROCESSION_MAX_MI_CARDINALITY = 3
    deploy("many", multi_instance("fan_out", "4"))
    instance = start_instance(definition_key="fan_out")
    assert "at most 3 instances" in Incident.objects.get(instance=instance).message


def test_too_many_tokens_refuse_the_command(settings):
    settings.PROCESSION_MAX_TOKENS_PER_INSTANCE = 5
    deploy("many", multi_instance("fan_out", "8"))
    with pytest.raises(CommandBudgetExceededError, match="tokens"):
        start_instance(definition_key="fan_out")


def test_a_state_larger_than_allowed_refuses_the_command(settings):
    settings.PROCESSION_MAX_STATE_BYTES = 2_000
    deploy("many", multi_instance("fan_out", "3"))
    with pytest.raises(CommandBudgetExceededError, match="state bytes") as refused:
        start_instance(definition_key="fan_out", variables={"note": "x" * 5_000})
    assert isinstance(refused.value, EngineError)


def test_the_state_size_limit_counts_utf8_bytes_not_escaped_text(settings):
    settings.PROCESSION_MAX_STATE_BYTES = 5_000
    deploy("many", multi_instance("fan_out", "1"))
    start_instance(definition_key="fan_out", variables={"note": "é" * 1_500})  # 3,000 bytes
    with pytest.raises(CommandBudgetExceededError, match="state bytes"):
        start_instance(definition_key="fan_out", variables={"note": "é" * 3_000})


@pytest.mark.parametrize(
    "value",
    [
        {"a": "plain", "n": [1, 2.5, None, True]},
        {"control": "tab\there\x01", "quote": '"\\'},
        {"literal": "\\u00e9 is not an escape"},
        {"accent": "é", "emoji": "🙂", "cjk": "漢字"},
    ],
)
def test_the_stored_state_size_is_its_utf8_json_size(value):
    assert stored_size(value, sql.json_value(value)) == encoded_size(value)
