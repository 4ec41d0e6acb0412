"""A large instance is stored in parts: a command on it writes the tokens, scopes and
waits it touched, whatever the instance's size, and the state read back (from the parts,
or from this process's cache of committed states) is the state the runtime left."""

from __future__ import annotations

import gc
import json
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bpmn_engine.errors import CommandBudgetExceededError
from bpmn_engine.models import InstanceStatePart, ProcessInstance, TokenRow, UserTask
from bpmn_engine.persistence import sql, state_parts, store
from bpmn_engine.persistence.part_forms import LETTER, LOOP_SLOT, assemble, encode, part_dict
from bpmn_engine.persistence.state_parts import CACHE, SPLIT_AT, stored_snapshot
from bpmn_engine.runtime.state import PART_KINDS, InstanceState, Scope, Token
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
# A part key as a literal of a DELETE (SQLite, PostgreSQL) or an INSERT's VALUES (SQLite)
# or UNNEST array (PostgreSQL): t:t-3, s:root, w:w-2, i:i-1, c:s-1:0.
FOR_EACH = process(
    "for_each",
    '<bpmn:startEvent id="start"/><bpmn:userTask id="many" camunda:assignee="sally">'
    '<bpmn:multiInstanceLoopCharacteristics isSequential="false" '
    'camunda:collection="${lines}" camunda:elementVariable="line"/>'
    '</bpmn:userTask><bpmn:endEvent id="end"/>' + flows(("start", "many"), ("many", "end")),
)
PART_KEY = re.compile(r"(?<![\w-])([tswicl]:[\w-]+(?::\d+)?)")


@pytest.fixture
def sally(db):
    deploy_definition(name="fan_out", resources={"fan_out.bpmn": FAN_OUT})
    deploy_definition(name="for_each", resources={"for_each.bpmn": FOR_EACH})
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
        # (on PostgreSQL a write may be a part of a merged ``WITH`` statement)
        if "instancestatepart" in sql and sql.lstrip().upper().startswith(
            ("INSERT", "DELETE", "WITH")
        ):
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


def _instance_state_bytes(text: str) -> int:
    """The length of the state the instance row's ``UPDATE`` writes (a statement of its
    own, or on PostgreSQL one part of a command's merged write)."""
    start = text.find(f"UPDATE {sql.table(ProcessInstance)} SET state = ")
    return 0 if start < 0 else text.find(", version = ", start) - start


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
        row_bytes[size] = sum(_instance_state_bytes(q["sql"]) for q in queries)
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


def test_parts_keep_exact_floats_big_ints_and_any_text_through_the_bulk_write(sally):
    awkward = {"f": 1e16, "g": 0.1, "big": 2**70, "text": 'ü€😀 "quoted" \\ back\nslash'}
    instance = start_instance(definition_key="fan_out", variables={"n": SPLIT_AT + 5, **awkward})
    complete(open_tasks(instance)[0], sally)
    instance.refresh_from_db()
    CACHE.clear()
    variables = store.load(instance).state.scopes["root"].variables
    assert {k: variables[k] for k in awkward} == awkward
    assert type(variables["f"]) is float and type(variables["big"]) is int
    for part in InstanceStatePart.objects.filter(instance=instance):
        assert part.size == len(encode(part.data).encode())


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


def test_a_cache_miss_reads_every_part_in_one_statement_and_collects_garbage_once(sally):
    instance = start(SPLIT_AT + 300)
    instance.refresh_from_db()
    CACHE.clear()
    collections: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(f"generation {info['generation']}")

    gc.collect()
    gc.callbacks.append(note)
    try:
        with CaptureQueriesContext(connection) as queries:
            state, _ = state_parts.load_split(instance)
    finally:
        gc.callbacks.remove(note)
    assert len(collections) <= 1  # the young objects' one collection once it resumes
    assert gc.isenabled()
    assert len(queries.captured_queries) == 1
    assert len(dict.keys(state.tokens)) == SPLIT_AT + 301
    assert state.to_dict() == stored_snapshot(instance)


def test_reading_a_split_state_leaves_a_paused_garbage_collector_paused(sally):
    instance = start(SPLIT_AT + 10)
    instance.refresh_from_db()
    CACHE.clear()
    gc.disable()
    try:
        store.load(instance)
        stored_snapshot(instance)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_state_size_limit_holds_for_a_split_state(sally, settings):
    instance = start(SPLIT_AT + 10)
    instance.refresh_from_db()
    size = sum(len(str(d)) for d in stored_snapshot(instance)["scopes"].values())
    settings.PROCESSION_MAX_STATE_BYTES = size * 4
    task = open_tasks(instance)[0]
    with pytest.raises(CommandBudgetExceededError, match="state bytes"):
        complete_user_task(task_id=task, user=sally, variables={"big": "x" * size * 4})
    assert UserTask.objects.get(pk=task).state == "open"


def test_completing_one_task_of_a_1000_token_instance_reads_and_writes_only_what_it_touched(
    sally, django_capture_on_commit_callbacks
):
    instance = start(1_000)
    warm_up, task = open_tasks(instance)[:2]
    with django_capture_on_commit_callbacks(execute=True):
        complete(warm_up, sally)  # the state now comes from this process's cache
    queries = complete(task, sally)
    parts = [q["sql"] for q in queries if "instancestatepart" in q["sql"]]
    assert not [sql for sql in parts if sql.lstrip().upper().startswith("SELECT")]
    assert len(written_parts(queries)) <= 7
    # Every statement with its values inlined (measured: ~1 KB of parts, ~8 KB in all): a
    # part listing the 1,000 tokens (the body scope did: 23.5 KB of parts, 30 KB in all)
    # or a statement per token would blow these bounds.
    assert sum(len(sql) for sql in parts) < 3_000
    assert sum(len(q["sql"]) for q in queries) < 12_000
    assert len(queries) <= STATEMENT_BUDGET


#: Statements to complete one task of a split instance from the cache: measured 14 on
#: SQLite and PostgreSQL, plus two of headroom.
STATEMENT_BUDGET = 16


def test_scope_parts_keep_no_token_list_and_tokens_carry_their_loop_slot(sally):
    instance = start(SPLIT_AT + 10)
    parts = {p.key: p.data for p in InstanceStatePart.objects.filter(instance=instance)}
    scopes = [data for key, data in parts.items() if key.startswith("s:")]
    assert all("tokens" not in scope for scope in scopes)
    (body,) = [scope for scope in scopes if "loop" in scope["data"]]
    assert body["data"]["loop"]["slots"] == {}
    members = [data for key, data in parts.items() if key.startswith("t:")]
    slots = sorted(t["loop_slot"] for t in members if t["scope_id"] == body["id"])
    assert slots == list(range(SPLIT_AT + 10))


def test_a_split_state_read_back_from_its_parts_is_the_state_the_runtime_left(
    sally, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        instance = start(SPLIT_AT + 10)
    for task_id in open_tasks(instance)[3:6]:
        with django_capture_on_commit_callbacks(execute=True):
            complete(task_id, sally)
    left = CACHE.entries[instance.pk].state.to_dict()
    CACHE.clear()
    instance.refresh_from_db()
    read = store.load(instance).state.to_dict()
    assert read == left  # token lists, completion logs and slots in the runtime's order
    body = next(scope for scope in read["scopes"].values() if "loop" in scope["data"])
    assert len(body["tokens"]) == len(body["data"]["loop"]["slots"]) == SPLIT_AT + 7
    for task_id in open_tasks(instance):  # the rest, the first one from the parts
        complete(task_id, sally)
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_scope_parts_stored_with_their_token_lists_are_read_and_rewritten_on_the_next_write(
    sally, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        instance = start(SPLIT_AT + 10)
    state = CACHE.entries[instance.pk].state.to_dict()
    for part in InstanceStatePart.objects.filter(instance=instance):  # the older form
        letter, _, entry_id = part.key.partition(":")
        if letter in "st":
            part.data = state["scopes" if letter == "s" else "tokens"][entry_id]
            part.save()
    CACHE.clear()
    instance.refresh_from_db()
    assert store.load(instance).state.to_dict() == state
    CACHE.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complete(open_tasks(instance)[0], sally)
    left = CACHE.entries[instance.pk].state.to_dict()
    parts = {p.key: p.data for p in InstanceStatePart.objects.filter(instance=instance)}
    scopes = [data for key, data in parts.items() if key.startswith("s:")]
    assert not [scope for scope in scopes if "tokens" in scope or "completed" in scope]
    body = next(scope for scope in left["scopes"].values() if "loop" in scope["data"])
    assert all(LOOP_SLOT in parts[f"t:{token_id}"] for token_id in body["tokens"])
    CACHE.clear()
    instance.refresh_from_db()
    assert store.load(instance).state.to_dict() == left


def test_a_loop_slot_whose_token_has_gone_stays_with_its_scope():
    state = InstanceState("1", "p")
    body = Scope("s-1", "root", "many", "t-1", local=True)
    body.data["loop"] = {"next": 3, "slots": {"t-2": 0, "t-3": 1, "t-4": 2}}
    body.tokens = {"t-3": None, "t-4": None}
    state.scopes["s-1"] = body
    state.root.tokens = {"t-1": None}
    state.tokens = {
        "t-1": Token("t-1", "many", "root", "in_scope"),
        "t-3": Token("t-3", "many", "s-1", "waiting"),
        "t-4": Token("t-4", "many", "s-1", "waiting"),
    }
    rows = [
        (f"{LETTER[kind]}:{entry_id}", json.loads(encode(part_dict(entry, state.scopes))))
        for kind in PART_KINDS
        for entry_id, entry in getattr(state, kind).items()
    ]
    snapshot, older, orphans, logged, listed = assemble({**state.head_dict(), "split": True}, rows)
    snapshot.pop("split")
    assert (snapshot, older, orphans) == (state.to_dict(), [], {"s-1": {"t-2"}})
    assert (logged, listed) == ({"root": 0, "s-1": 0}, [])
    assert list(snapshot["scopes"]["s-1"]["data"]["loop"]["slots"]) == ["t-2", "t-3", "t-4"]


def test_a_slot_whose_token_went_without_it_is_stored_and_kept_by_later_writes(
    sally, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        instance = start(SPLIT_AT + 10)
    now = instance.started_at
    with transaction.atomic():
        loaded = store.load(store.lock_instance(instance.pk))  # from the cache
        body_id = next(s.id for s in dict.values(loaded.state.scopes) if "loop" in s.data)
        body = loaded.state.scopes[body_id]
        gone = next(iter(body.tokens))
        del loaded.state.tokens[gone], body.tokens[gone]  # its slot stays
        store.save(loaded, now=now)
        left = loaded.state.to_dict()
    CACHE.clear()
    with transaction.atomic():
        again = store.load(store.lock_instance(instance.pk))  # from the parts
        assert again.state.to_dict() == left
        again.state.scopes[body_id].variables["seen"] = True  # a later write of the body
        store.save(again, now=now)
    part = InstanceStatePart.objects.get(instance=instance, key=f"s:{body_id}")
    assert part.data["data"]["loop"]["slots"] == {gone: 0}
    CACHE.clear()
    instance.refresh_from_db()
    assert store.load(instance).state.scopes[body_id].data["loop"]["slots"][gone] == 0


def test_a_scopes_completion_log_is_stored_in_parts_and_a_write_adds_to_the_last(
    sally, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(state_parts, "LOG_CHUNK", 3)
    instance = start(SPLIT_AT + 10)
    for task_id in open_tasks(instance)[:6]:
        with django_capture_on_commit_callbacks(execute=True):
            complete(task_id, sally)
    with django_capture_on_commit_callbacks(execute=True):
        last = complete(open_tasks(instance)[0], sally)
    body = next(s for s in stored_snapshot(instance)["scopes"].values() if "loop" in s["data"])
    logs = {
        p.key: p.data
        for p in InstanceStatePart.objects.filter(instance=instance, key__startswith="c:")
    }
    mine = {key: data for key, data in logs.items() if key.startswith(f"c:{body['id']}:")}
    assert sorted(mine) == [f"c:{body['id']}:{n}" for n in range(3)]
    assert [len(mine[f"c:{body['id']}:{n}"]) for n in range(3)] == [3, 3, 1]
    assert [key for key in written_parts(last) if key.startswith("c:")] == [f"c:{body['id']}:2"]
    left = CACHE.entries[instance.pk].state.to_dict()
    CACHE.clear()
    instance.refresh_from_db()
    assert store.load(instance).state.to_dict() == left
    assert left["scopes"][body["id"]]["completed"] == ["many"] * 7


def test_a_bodys_input_collection_is_written_once_and_read_back_for_its_instances(
    sally, django_capture_on_commit_callbacks
):
    lines = [{"sku": f"SKU-{n}", "note": "x" * 40} for n in range(SPLIT_AT + 10)]
    with django_capture_on_commit_callbacks(execute=True):
        instance = start_instance(definition_key="for_each", variables={"lines": lines})
    first, second, third = open_tasks(instance)[:3]
    with django_capture_on_commit_callbacks(execute=True):
        complete(first, sally)
    queries = complete(second, sally)
    assert not [key for key in written_parts(queries) if key.startswith("l:")]
    parts = [q["sql"] for q in queries if "instancestatepart" in q["sql"]]
    # The root scope's part holds the 'lines' variable and is rewritten (the command read
    # variables through it); the body's copy of the collection is not: once, not twice.
    assert sum(len(sql) for sql in parts) < 1.5 * len(encode(lines))
    (items,) = InstanceStatePart.objects.filter(instance=instance, key__startswith="l:")
    assert items.data == lines
    CACHE.clear()
    assert task_variables(UserTask.objects.get(pk=third))["line"] == lines[2]
    instance.refresh_from_db()
    loaded = store.load(instance)
    body = next(s for s in dict.values(loaded.state.scopes) if "loop" in s.data)
    assert body.data["loop"]["items"] == lines
