"""SQLite's WAL checkpoints (``persistence.sqlite_writes.checkpoint_if_due``): a command
copies the WAL into the database after it has released the writer lock, so that another
process writes meanwhile; SQLite's own checkpoint inside the ``COMMIT`` is only a backstop."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from bpmn_engine.persistence import sqlite_writes
from bpmn_engine.services import deploy_definition, start_instance

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
def deployed() -> None:
    deploy_definition(name="wait", resources={"wait.bpmn": DIAGRAM})


@pytest.fixture
def every_frame_due(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command checkpoints whenever any frame awaits a checkpoint."""
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


@pytest.fixture
def empty_wal() -> None:
    """Earlier tests' frames copied and the WAL restarted."""
    connection.ensure_connection()
    (busy, _, _) = connection.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0


def lock_state() -> str:
    """Whether another process could take the writer lock now."""
    fd = os.open(sqlite_writes.lock_path(connection.settings_dict), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "held"
    finally:
        os.close(fd)
    return "free"


def awaiting_checkpoint() -> int:
    """Frames of the WAL not yet copied into the database, read afresh."""
    return sqlite_writes.WalIndex(str(connection.settings_dict["NAME"])).unchecked()


def test_a_command_checkpoints_the_wal_after_releasing_the_writer_lock(
    deployed, every_frame_due, statements
):
    start_instance(definition_key="wait")

    checkpoints = [held for sql, held in statements if "wal_checkpoint" in sql]
    assert checkpoints == ["free"]  # once, and another process could write meanwhile
    commit = next(i for i, (sql, _) in enumerate(statements) if sql == "COMMIT")
    assert statements[commit][1] == "held"  # the command's own writes under the lock
    assert awaiting_checkpoint() == 0


def test_a_command_leaves_a_short_wal_to_a_later_checkpoint(deployed, empty_wal, statements):
    start_instance(definition_key="wait")

    assert not [sql for sql, _ in statements if "wal_checkpoint" in sql]
    assert 0 < awaiting_checkpoint() < sqlite_writes.CHECKPOINT_FRAMES


def test_sqlites_checkpoint_inside_the_commit_is_only_a_backstop(deployed):
    connection.close()
    connection.ensure_connection()  # a new connection: set up as every one is

    (interval,) = connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()
    assert interval == sqlite_writes.AUTOCHECKPOINT_FRAMES
    assert interval > sqlite_writes.CHECKPOINT_FRAMES


def test_commands_leave_the_wal_alone_while_automatic_checkpoints_are_off(
    deployed, every_frame_due, statements
):
    connection.connection.execute("PRAGMA wal_autocheckpoint=0")  # someone reads the WAL
    try:
        start_instance(definition_key="wait")
        start_instance(definition_key="wait")
    finally:
        connection.connection.execute(
            f"PRAGMA wal_autocheckpoint={sqlite_writes.AUTOCHECKPOINT_FRAMES}"
        )

    assert not [sql for sql, _ in statements if "wal_checkpoint(" in sql]
    assert awaiting_checkpoint() > 0


def test_a_connection_opened_after_the_files_were_removed_reads_their_new_index(
    every_frame_due, tmp_path
):
    # A database of its own: no other connection keeps its files.
    name = str(tmp_path / "alone.sqlite3")
    alone = DatabaseWrapper({**connection.settings_dict, "NAME": name}, alias="alone")

    def write_and_checkpoint() -> int:
        alone.ensure_connection()
        alone.connection.execute("CREATE TABLE IF NOT EXISTS t (v)")
        alone.connection.execute("INSERT INTO t VALUES (1)")
        sqlite_writes.checkpoint_if_due(alone)
        return sqlite_writes.WalIndex(name).unchecked()

    assert write_and_checkpoint() == 0
    alone.close()  # the last connection: SQLite removes the WAL and its index
    assert not os.path.exists(f"{name}-shm")
    try:
        assert write_and_checkpoint() == 0  # a new -shm file, read through a new map
    finally:
        alone.close()


def test_a_failed_checkpoint_is_logged_and_left_to_the_next_command(caplog: Any):
    class Busy:
        in_transaction = False

        def execute(self, sql: str) -> Any:
            raise sqlite3.OperationalError("disk I/O error")

    class Due:
        def unchecked(self) -> int:
            return sqlite_writes.CHECKPOINT_FRAMES

    raw = Busy()
    wrapper = SimpleNamespace(
        connection=raw,
        in_atomic_block=False,
        settings_dict={"NAME": "unused"},
        _procession_wal_index=(raw, Due()),
    )
    sqlite_writes.checkpoint_if_due(wrapper)  # the command has committed: nothing raised

    assert "WAL checkpoint failed (disk I/O error)" in caplog.text


def test_a_connection_inside_a_transaction_of_its_own_is_not_checkpointed(
    deployed, empty_wal, statements, monkeypatch: pytest.MonkeyPatch, caplog: Any
):
    start_instance(definition_key="wait")  # leaves its frames: fewer than the interval
    assert awaiting_checkpoint() > 0
    monkeypatch.setattr(sqlite_writes, "CHECKPOINT_FRAMES", 1)  # now they are due
    statements.clear()
    connection.connection.execute("BEGIN")
    try:
        sqlite_writes.checkpoint_if_due(connection)
    finally:
        connection.connection.execute("ROLLBACK")

    assert not [sql for sql, _ in statements if "wal_checkpoint" in sql]
    assert "WAL checkpoint failed" not in caplog.text


def test_a_connection_whose_index_cannot_be_read_keeps_sqlites_usual_interval(
    deployed, monkeypatch: pytest.MonkeyPatch
):
    def unreadable(self: Any, database: str) -> None:
        raise PermissionError(13, "Permission denied", f"{database}-shm")

    monkeypatch.setattr(sqlite_writes.WalIndex, "__init__", unreadable)
    connection.close()
    start_instance(definition_key="wait")  # a new connection: no index to read

    (interval,) = connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()
    assert interval == sqlite_writes.CHECKPOINT_FRAMES  # checkpoints inside the COMMIT, as before
