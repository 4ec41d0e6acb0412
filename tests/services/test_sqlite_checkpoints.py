"""SQLite's WAL checkpoints (``persistence.sqlite_writes.checkpoint_if_due``): a command
copies the WAL into the database after it has released the writer lock, so that another
process writes meanwhile; SQLite's own checkpoint inside the ``COMMIT`` is only a backstop."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from bpmn_engine.persistence import sqlite_writes
from bpmn_engine.persistence.sqlite_writes import CheckpointSchedule
from bpmn_engine.services import deploy_definition, start_instance
from tests.services.writer_lock import lock_state

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="WAL checkpoints are SQLite's"),
]

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D"
  targetNamespace="t">
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:userTask id="Review"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def deployed() -> Iterator[None]:
    deploy_definition(name="wait", resources={"wait.bpmn": DIAGRAM})
    sqlite_writes.forget_process_state()  # no schedule left by earlier commands
    yield
    sqlite_writes.forget_process_state()


@pytest.fixture
def every_command_due(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_writes, "CHECKPOINT_FRAMES", 1)


@pytest.fixture
def statements() -> Iterator[list[tuple[str, str]]]:
    """The SQL the connection runs, each with whether the writer lock was held then."""
    seen: list[tuple[str, str]] = []
    connection.ensure_connection()
    raw = connection.connection
    raw.set_trace_callback(lambda sql: seen.append((sql, lock_state())))
    yield seen
    raw.set_trace_callback(None)


def checkpoints(statements: list[tuple[str, str]]) -> list[str]:
    return [held for sql, held in statements if sql.startswith("PRAGMA wal_checkpoint(")]


def test_a_command_checkpoints_the_wal_after_releasing_the_writer_lock(
    deployed, every_command_due, statements
):
    start_instance(definition_key="wait")

    assert checkpoints(statements) == ["free"]  # once, and another process could write
    commit = next(i for i, (sql, _) in enumerate(statements) if sql == "COMMIT")
    assert statements[commit][1] == "held"  # the command's own writes under the lock
    busy, frames, copied = connection.connection.execute(
        "PRAGMA wal_checkpoint(PASSIVE)"
    ).fetchone()
    assert (busy, copied) == (0, frames)  # nothing the command's checkpoint left over


def test_commands_checkpoint_about_every_checkpoint_frames_frames(
    deployed, statements, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(sqlite_writes, "CHECKPOINT_FRAMES", 200)
    for _ in range(60):
        start_instance(definition_key="wait")

    schedule = sqlite_writes._schedule(str(connection.settings_dict["NAME"]))
    written = 60 * schedule.per_command  # frames, as the checkpoints measured them
    assert 4 <= schedule.per_command <= 64
    assert abs(len(checkpoints(statements)) - written / 200) <= 2


def test_a_schedule_measures_the_frames_written_since_the_last_checkpoint():
    schedule = CheckpointSchedule()
    for _ in range(10):
        schedule.count()
    schedule.measured(frames=300, copied=300)  # whole: the WAL starts over after it
    assert schedule.per_command == 30
    for _ in range(5):
        schedule.count()
    schedule.measured(frames=200, copied=150)  # 200 new frames; 50 left uncopied
    assert schedule.per_command == 40
    for _ in range(4):
        schedule.count()
    schedule.measured(frames=320, copied=320)  # the WAL went on: 120 new frames
    assert schedule.per_command == 30
    assert not schedule.count()  # 30 < 1,000


def test_sqlites_checkpoint_inside_the_commit_is_only_a_backstop(deployed):
    connection.close()
    connection.ensure_connection()  # a new connection: set up as every one is

    (interval,) = connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()
    assert interval == sqlite_writes.AUTOCHECKPOINT_FRAMES
    assert interval > sqlite_writes.CHECKPOINT_FRAMES


def test_commands_leave_the_wal_alone_while_automatic_checkpoints_are_off(
    deployed, every_command_due, statements
):
    connection.connection.execute("PRAGMA wal_autocheckpoint=0")  # someone reads the WAL
    try:
        start_instance(definition_key="wait")
        start_instance(definition_key="wait")
    finally:
        connection.connection.execute(
            f"PRAGMA wal_autocheckpoint={sqlite_writes.AUTOCHECKPOINT_FRAMES}"
        )

    assert checkpoints(statements) == []


def test_a_connection_inside_a_transaction_of_its_own_is_not_checkpointed(
    deployed, every_command_due, statements, caplog: Any
):
    connection.connection.execute("BEGIN")
    try:
        sqlite_writes.checkpoint_if_due(connection)
    finally:
        connection.connection.execute("ROLLBACK")

    assert checkpoints(statements) == []
    assert "WAL checkpoint failed" not in caplog.text


def test_a_failed_checkpoint_is_logged_and_left_to_the_next_command(every_command_due, caplog: Any):
    class Failing:
        in_transaction = False

        def execute(self, sql: str) -> Any:
            raise sqlite3.OperationalError("disk I/O error")

    wrapper = SimpleNamespace(
        connection=Failing(), in_atomic_block=False, settings_dict={"NAME": "unused"}
    )
    sqlite_writes.checkpoint_if_due(wrapper)  # the command has committed: nothing raised

    assert "WAL checkpoint failed (disk I/O error)" in caplog.text
