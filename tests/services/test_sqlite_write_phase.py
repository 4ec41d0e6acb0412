"""SQLite's writer lock and optimistic commands (``persistence.sqlite_writes``): while
another process writes, a start or a completion reads and runs the engine without the
write lock, takes it for its writes only, and runs again, holding the lock, when what it
read changed meanwhile. Most tests let another connection act in the window between a
command's reads and its writes; one runs two real client processes at once."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from bpmn_engine.audit.verify import verify
from bpmn_engine.errors import TaskNotAssignedError
from bpmn_engine.models import AuditEvent, ProcessInstance, UserTask
from bpmn_engine.persistence import sqlite_writes
from bpmn_engine.services import (
    complete_user_task,
    deploy_definition,
    set_variables,
    start_instance,
    unclaim_user_task,
    unit_of_work,
)
from tests.services import client_processes
from tests.services.writer_lock import lock_state

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the optimistic write phase is SQLite's"
    ),
]

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:userTask id="Review" camunda:assignee="sally" camunda:candidateUsers="sally"/>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def sally(django_user_model: Any) -> Any:
    deploy_definition(name="review", resources={"review.bpmn": DIAGRAM})
    sqlite_writes.forget_process_state()  # ids and a wait from an earlier test
    return django_user_model.objects.create_user("sally", password="procession")


class Window:
    """Actions run once each, in order, when a command has read its instance and is about
    to run the engine (``advance``): after its reads, before any write.

    ``another_process_writes()``: the writer lock is held (through a descriptor of its
    own, as another process would) until the next command reaches that point, so the
    command starts while another writes and reads first."""

    def __init__(self) -> None:
        self.actions: list[Callable[[], None]] = []
        self.held: int | None = None

    def another_process_writes(self) -> None:
        path = sqlite_writes.lock_path(connection.settings_dict)
        self.held = os.open(path, os.O_RDWR | os.O_CREAT)
        fcntl.flock(self.held, fcntl.LOCK_EX)

    def release(self) -> None:
        if self.held is not None:
            os.close(self.held)  # releases its lock
            self.held = None

    def reached(self) -> None:
        self.release()
        if self.actions:
            self.actions.pop(0)()


@pytest.fixture
def between_read_and_write(monkeypatch: pytest.MonkeyPatch) -> Iterator[Window]:
    # Each command decides from the lock alone (no memory of an earlier command's wait).
    monkeypatch.setattr(sqlite_writes, "CONTENDED_SECONDS", 0.0)
    window = Window()
    real = unit_of_work.advance

    def advance(*args: Any, **kwargs: Any) -> Any:
        window.reached()
        return real(*args, **kwargs)

    monkeypatch.setattr(unit_of_work, "advance", advance)
    yield window
    window.release()
    sqlite_writes.forget_process_state()


def in_thread(action: Callable[[], Any]) -> Any:
    """Run ``action`` in a thread of its own (its own database connection) and return its
    result, re-raising its error."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = action()
        except BaseException as exc:  # re-raised by the caller's thread
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the other command did not finish: it waited on our lock"
    if "error" in out:
        raise out["error"]
    return out.get("result")


def database_path() -> str:
    return str(connection.settings_dict["NAME"])


def open_task(instance: ProcessInstance) -> UserTask:
    return UserTask.objects.get(instance=instance, state="open")


def test_a_completion_runs_the_engine_while_another_connection_can_write(
    sally, between_read_and_write
):
    instance = start_instance(definition_key="review")
    written: list[bool] = []

    def write_elsewhere() -> None:
        other = sqlite3.connect(database_path(), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the write lock is held
            other.execute("COMMIT")
            written.append(True)
        finally:
            other.close()

    between_read_and_write.another_process_writes()
    between_read_and_write.actions.append(write_elsewhere)
    complete_user_task(task_id=open_task(instance).pk, user=sally)
    assert written == [True]
    assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"


def test_a_completion_whose_instance_moved_on_runs_again_and_completes_once(
    sally, between_read_and_write
):
    instance = start_instance(definition_key="review")
    task = open_task(instance)
    steps: list[int] = []
    between_read_and_write.another_process_writes()
    between_read_and_write.actions.append(
        lambda: in_thread(lambda: set_variables(instance_id=instance.pk, variables={"x": 1}))
    )
    between_read_and_write.actions.append(lambda: steps.append(2))
    complete_user_task(task_id=task.pk, user=sally, variables={"ok": True})

    assert steps == [2]  # the first attempt's write was refused; the second one ran
    instance.refresh_from_db()
    assert instance.status == "completed"
    values = dict(instance.variable_rows.values_list("name", "value"))
    assert values == {"x": 1, "ok": True}  # the other command's write survives
    events = AuditEvent.objects.filter(stream=f"instance:{instance.pk}")
    assert events.filter(event_type="task.completed").count() == 1
    assert verify(instance_id=instance.pk).ok


def test_a_task_released_between_the_read_and_the_write_is_not_completed(
    sally, between_read_and_write
):
    instance = start_instance(definition_key="review")
    task = open_task(instance)
    # The release changes no instance version: the audit chain's next place, taken by the
    # release's event, is what refuses the completion's events.
    between_read_and_write.another_process_writes()
    between_read_and_write.actions.append(
        lambda: in_thread(lambda: unclaim_user_task(task_id=task.pk, user=sally))
    )
    with pytest.raises(TaskNotAssignedError):
        complete_user_task(task_id=task.pk, user=sally)

    task.refresh_from_db()
    assert (task.state, task.assignee) == ("open", "")
    events = AuditEvent.objects.filter(stream=f"instance:{instance.pk}")
    assert list(
        events.filter(event_type__startswith="task.").values_list("event_type", flat=True)
    ) == [
        "task.created",
        "task.unclaimed",
    ]
    assert verify(instance_id=instance.pk).ok


def test_starts_beside_another_writer_take_ids_from_blocks_of_their_own(
    sally, between_read_and_write
):
    def start() -> int:
        between_read_and_write.another_process_writes()
        return start_instance(definition_key="review").pk

    first = start()
    other = in_thread(start)  # a thread of its own: a block of its own
    second = start()

    assert other == first + sqlite_writes.ID_BLOCK  # the next block: no id taken twice
    assert second == first + 1  # from this thread's block
    assert start_instance(definition_key="review").pk > other  # the lock free: the counter


def test_a_start_after_the_table_was_emptied_drops_its_void_block(sally, between_read_and_write):
    between_read_and_write.another_process_writes()
    start_instance(definition_key="review")
    ProcessInstance.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sqlite_sequence SET seq = 0 WHERE name = 'bpmn_engine_processinstance'"
        )
    between_read_and_write.another_process_writes()
    assert start_instance(definition_key="review").pk == 1


def test_the_writer_lock_is_held_only_from_the_writes_to_the_commit(
    sally, between_read_and_write, monkeypatch
):
    instance = start_instance(definition_key="review")
    seen: list[str] = []
    real_switch = sqlite_writes.OptimisticWrites.switch

    def switch(self: Any) -> None:
        real_switch(self)
        seen.append(f"writing: {lock_state()}")

    monkeypatch.setattr(sqlite_writes.OptimisticWrites, "switch", switch)
    between_read_and_write.another_process_writes()
    between_read_and_write.actions.append(lambda: seen.append(f"reading: {lock_state()}"))
    complete_user_task(task_id=open_task(instance).pk, user=sally)
    assert seen == ["reading: free", "writing: held"]
    assert lock_state() == "free"

    other = start_instance(definition_key="review")
    in_thread(lambda: unclaim_user_task(task_id=open_task(other).pk, user=sally))
    between_read_and_write.another_process_writes()
    with pytest.raises(TaskNotAssignedError):  # refused while reading: nothing held after
        complete_user_task(task_id=open_task(other).pk, user=sally)
    between_read_and_write.release()  # the other process's hold
    assert lock_state() == "free"


def test_a_command_that_finds_the_writer_lock_free_holds_it_throughout(
    sally, between_read_and_write
):
    instance = start_instance(definition_key="review")
    seen: list[str] = []
    between_read_and_write.actions.append(lambda: seen.append(lock_state()))
    complete_user_task(task_id=open_task(instance).pk, user=sally)
    assert seen == ["held"]  # nobody else writing: no second transaction to start
    assert lock_state() == "free"


def test_a_process_that_met_another_writer_keeps_reading_first_for_a_while(
    sally, between_read_and_write, monkeypatch
):
    monkeypatch.setattr(sqlite_writes, "CONTENDED_SECONDS", 60.0)
    first = start_instance(definition_key="review")
    between_read_and_write.another_process_writes()
    second = start_instance(definition_key="review")  # met the other writer: reads first
    seen: list[str] = []
    between_read_and_write.actions.append(lambda: seen.append(lock_state()))
    complete_user_task(task_id=open_task(first).pk, user=sally)  # the lock free meanwhile

    assert seen == ["free"]  # still read first: the other process may be back any moment
    assert ProcessInstance.objects.get(pk=first.pk).status == "completed"
    assert second.pk > first.pk


# A client process: sets up Django, says "ready", waits for "go", then starts instances
# of ``review`` and completes their tasks as sally; prints how many of its commands read
# first (took the lock for their writes only) and how many ran again after a conflict.
CLIENT = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from bpmn_engine.models import UserTask
from bpmn_engine.persistence import sqlite_writes
from bpmn_engine.services import complete_user_task, start_instance, transactions
counts = {"read_first": 0, "conflicts": 0}
switch = sqlite_writes.OptimisticWrites.switch
def counted_switch(self):
    counts["read_first"] += 1
    try:
        return switch(self)
    except sqlite_writes.OptimisticConflict:
        counts["conflicts"] += 1
        raise
sqlite_writes.OptimisticWrites.switch = counted_switch
sally = get_user_model().objects.get(username="sally")
from django.db import connection
def traced(sql):
    if sql.startswith("PRAGMA wal_checkpoint("):
        counts["checkpoints"] = counts.get("checkpoints", 0) + 1
connection.connection.set_trace_callback(traced)
print("ready", flush=True)
sys.stdin.readline()
ids = [start_instance(definition_key="review").pk for _ in range(int(sys.argv[1]))]
for task in UserTask.objects.filter(instance_id__in=ids).values_list("pk", flat=True):
    complete_user_task(task_id=task, user=sally)
print(json.dumps({"ids": ids, **counts}))
"""


def test_two_processes_starting_and_completing_at_once_leave_every_instance_and_chain_whole(
    sally,
):
    each = 200
    reports = client_processes.run_together(
        [client_processes.start(CLIENT, str(each)) for _ in range(2)]
    )

    ids = [pk for report in reports for pk in report["ids"]]
    assert len(set(ids)) == 2 * each  # no instance id taken twice
    assert ProcessInstance.objects.filter(pk__in=ids, status="completed").count() == 2 * each
    completed = AuditEvent.objects.filter(instance_id__in=ids, event_type="task.completed")
    assert completed.count() == 2 * each  # each task completed once
    assert verify().ok  # every chain whole, every head where its chain ends
    # The processes met: commands read first while the other wrote.
    assert sum(report["read_first"] for report in reports) > 0, reports
    # The commands checkpointed as they went (~20,000 frames written): the WAL stays short.
    assert sum(report.get("checkpoints", 0) for report in reports) > 0, reports
    (page_size,) = connection.connection.execute("PRAGMA page_size").fetchone()
    wal = f"{database_path()}-wal"
    frames = os.path.getsize(wal) // (24 + page_size) if os.path.exists(wal) else 0
    assert frames <= 2 * sqlite_writes.AUTOCHECKPOINT_FRAMES


def test_a_database_whose_lock_file_cannot_be_opened_runs_commands_under_sqlites_lock(
    sally, monkeypatch, caplog
):
    real_open = os.open

    def refuse_lock_files(path: str, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("-writer"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(sqlite_writes.os, "open", refuse_lock_files)
    monkeypatch.setattr(sqlite_writes, "_flocks", {})  # no descriptor opened before
    monkeypatch.delattr(connection, "_procession_writer_path", raising=False)
    try:
        instance = start_instance(definition_key="review")
        complete_user_task(task_id=open_task(instance).pk, user=sally)
    finally:
        if hasattr(connection, "_procession_writer_path"):
            del connection._procession_writer_path  # later tests look again
    assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"
    assert "no writer lock" in caplog.text
