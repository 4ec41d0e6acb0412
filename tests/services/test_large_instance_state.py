"""A large instance is stored in parts: a command on it writes the tokens, scopes and
waits it touched, whatever the instance's size, and the state read back (from the parts,
or from this process's cache of committed states) is the state the runtime left."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bpmn_engine.errors import CommandBudgetExceededError
from bpmn_engine.models import InstanceStatePart, ProcessInstance, TokenRow, UserTask
from bpmn_engine.persistence import store
from bpmn_engine.persistence.state_parts import CACHE, SPLIT_AT, stored_snapshot
from bpmn_engine.selectors.tasks import task_variables
from bpmn_engine.services import complete_user_task, deploy_definition, start_instance
from tests.services.diagrams import flows, process

pytestmark = pytest.mark.django_db

FAN_OUT = process(
    "fan_out",
    '<bpmn:startEvent id="start"/><bpmn:userTask id="many" camunda:assignee="sally">'
    '<bpmn:multiInstanceLoopCharacteristics isSequential="false">'
    "<bpmn:loopCardinality>${n}</bpmn:loopCardinality>"
    '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask><bpmn:endEvent id="end"/>'
    + flows(("start", "many"), ("many", "end")),
)
PART_KEY = re.compile(r"'([tswi]:[^']*)'")


@pytest.fixture
def sally(db):
    deploy_definition(name="fan_out", resources={"fan_out.bpmn": FAN_OUT})
    CACHE.clear()
    yield User.objects.create_user("sally", password="x")
    CACHE.clear()


def start(size: int) -> ProcessInstance:
    return start_instance(definition_key="fan_out", variables={"n": size})


def open_tasks(instance: ProcessInstance) -> list[int]:
    return list(
        UserTask.objects.filter(instance=instance, state="open")
        .order_by("id")
        .values_list("pk", flat=True)
    )


def complete(task_id: int, user: User) -> list[dict[str, str]]:
    """Complete one task; the SQL statements it ran."""
    with CaptureQueriesContext(connection) as queries:
        complete_user_task(task_id=task_id, user=user, variables={"ok": True})
    return queries.captured_queries


def written_parts(queries: list[dict[str, str]]) -> list[str]:
    """Keys of the state parts the statements inserted, updated or deleted."""
    keys: list[str] = []
    for query in queries:
        sql = query["sql"]
        if "instancestatepart" in sql and sql.lstrip().upper().startswith(("INSERT", "DELETE")):
            keys += PART_KEY.findall(sql)
    return keys


def test_a_small_instance_keeps_its_whole_state_in_the_row(sally):
    instance = start(3)
    instance.refresh_from_db()
    assert "split" not in instance.state
    assert len(instance.state["tokens"]) == 4
    assert not InstanceStatePart.objects.filter(instance=instance).exists()


def test_a_large_instance_keeps_only_its_head_in_the_row(sally):
    instance = start(SPLIT_AT)
    instance.refresh_from_db()
    assert instance.state["split"] is True
    assert "tokens" not in instance.state
    snapshot = stored_snapshot(instance)
    assert len(snapshot["tokens"]) == SPLIT_AT + 1
    assert len(snapshot["waits"]) == SPLIT_AT
    assert TokenRow.objects.filter(instance=instance).count() == SPLIT_AT + 1


def test_completing_one_task_writes_the_same_parts_whatever_the_instance_size(sally):
    written = {}
    statements = {}
    row_bytes = {}
    for size in (SPLIT_AT + 50, 3 * SPLIT_AT):
        instance = start(size)
        warm_up, task = open_tasks(instance)[:2]
        complete(warm_up, sally)
        queries = complete(task, sally)
        written[size] = sorted(key.split(":")[0] for key in written_parts(queries))
        statements[size] = len(queries)
        row_bytes[size] = sum(
            len(q["sql"])
            for q in queries
            if q["sql"].startswith("UPDATE") and "processinstance" in q["sql"].split("SET")[0]
        )
    small, large = written.values()
    assert small == large
    assert len(small) <= 6  # the instance's token, scope and wait; the body and root scopes
    assert len(set(statements.values())) == 1
    small_row, large_row = row_bytes.values()
    assert 0 < large_row < small_row + 100  # the row holds the head, not the tokens


def test_the_stored_parts_read_back_as_the_state_the_runtime_left(sally):
    instance = start(SPLIT_AT + 10)
    for task_id in open_tasks(instance)[:3]:
        complete(task_id, sally)
    instance.refresh_from_db()
    rebuilt = store.load(instance).state.to_dict()
    assert rebuilt == {**stored_snapshot(instance)}
    assert len(rebuilt["tokens"]) == SPLIT_AT + 11 - 3
    assert rebuilt["scopes"]["root"]["variables"]["ok"] is True
    assert TokenRow.objects.filter(instance=instance).count() == SPLIT_AT + 11 - 3
    assert task_variables(UserTask.objects.get(pk=open_tasks(instance)[0]))["ok"] is True
    for part in InstanceStatePart.objects.filter(instance=instance):
        assert part.size == len(json.dumps(part.data, ensure_ascii=False).encode())


def test_the_last_completion_ends_a_split_instance(sally):
    instance = start(SPLIT_AT + 2)
    for task_id in open_tasks(instance):
        complete(task_id, sally)
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert not TokenRow.objects.filter(instance=instance).exists()
    assert stored_snapshot(instance)["tokens"] == {}


def test_a_committed_state_is_taken_from_the_cache_at_the_same_version(
    sally, django_capture_on_commit_callbacks
):
    instance = start(SPLIT_AT + 10)
    first, second, third = open_tasks(instance)[:3]
    with django_capture_on_commit_callbacks(execute=True):
        complete(first, sally)
    with django_capture_on_commit_callbacks(execute=True):
        warm = complete(second, sally)
    reads_all_parts = [
        q["sql"]
        for q in warm
        if "instancestatepart" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert reads_all_parts == []
    ProcessInstance.objects.filter(pk=instance.pk).update(version=999)  # another writer
    cold = complete(third, sally)
    assert any(
        "instancestatepart" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
        for q in cold
    )
    instance.refresh_from_db()
    assert store.load(instance).state.to_dict() == stored_snapshot(instance)


def test_the_state_size_limit_holds_for_a_split_state(sally, settings):
    instance = start(SPLIT_AT + 10)
    instance.refresh_from_db()
    size = sum(len(str(d)) for d in stored_snapshot(instance)["scopes"].values())
    settings.PROCESSION_MAX_STATE_BYTES = size * 4
    task = open_tasks(instance)[0]
    with pytest.raises(CommandBudgetExceededError, match="state bytes"):
        complete_user_task(task_id=task, user=sally, variables={"big": "x" * size * 4})
    assert UserTask.objects.get(pk=task).state == "open"
