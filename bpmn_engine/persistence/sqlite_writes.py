"""SQLite commands that hold the database's write lock only while their writes run.

SQLite has one writer at a time. A command whose ``BEGIN IMMEDIATE`` takes the write
lock holds it while it reads, runs the engine and builds its rows, which is most of a
command and all of it Python, so a second process waits for the first
(``docs/scaling.md``). An *optimistic* command
(``transactions.command(optimistic=True)``) instead

1. reads in a ``BEGIN DEFERRED`` transaction: one snapshot, no write lock;
2. queues the write path's statements (``sql.execute``, ``sql.defer``,
   ``sql.insert_rows``) instead of running them;
3. at its first statement that is not a read of that snapshot (a write of the ORM or of
   the audit writer, a savepoint, a read after a queued write), or at its end: ends the
   read transaction, takes the writer lock (below), starts ``BEGIN IMMEDIATE``, runs the
   queued writes and then the rest of the command under the lock.

The writes are checked against what was read. The instance's state ``UPDATE`` is guarded
by its version (the row count the queue checks); every other change to an instance's
tasks appends to the instance's audit chain, whose unique ``(stream, seq)`` refuses a
second event at one place; a start's reserved instance id is the primary key of the row
it inserts (a start takes its id from a block its process reserved,
``reserve_instance_id``, so that two processes starting instances do not take the same
one). A failed check raises ``OptimisticConflict`` (an ``IntegrityError`` of the attempt
becomes one in ``transactions.command``), and the command runs again holding the lock
from its ``BEGIN``, so it always ends.

The writer lock is an ``flock`` on a file beside the database, taken before ``BEGIN
IMMEDIATE`` by every command (optimistic or not; one descriptor per thread, so threads
of one process exclude each other too): a waiting writer sleeps in the kernel and is
woken when the lock is released, instead of in SQLite's busy handler, which polls in
steps of milliseconds. Writers that do not take it (the admin, migrations) still meet
SQLite's own lock and busy timeout.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from bpmn_engine.errors import ConcurrentModificationError


class OptimisticConflict(ConcurrentModificationError):
    """What an optimistic command read changed before its writes ran."""


@lru_cache(maxsize=1024)
def is_read(sql: str) -> bool:
    """Whether ``sql`` only reads (a ``SELECT``, a ``WITH`` that ends in one)."""
    head = sql.lstrip()[:6].upper()
    if head == "SELECT":
        return True
    if head.startswith("WITH"):
        upper = sql.upper()
        return not any(w in upper for w in ("INSERT ", "UPDATE ", "DELETE ", "REPLACE "))
    return False


# --------------------------------------------------------------------------- writer lock


class _Descriptors(threading.local):
    """This thread's descriptors of lock files, by path. A forked child opens its own: a
    descriptor it inherited shares the parent's lock instead of excluding it."""

    by_path: dict[str, int]
    pid: int

    def __init__(self) -> None:
        self.by_path, self.pid = {}, os.getpid()

    def get(self, path: str) -> int:
        if self.pid != os.getpid():
            self.by_path, self.pid = {}, os.getpid()
        fd = self.by_path.get(path)
        if fd is None:
            fd = self.by_path[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return fd


_descriptors = _Descriptors()


def lock_path(settings_dict: dict[str, Any]) -> str | None:
    """The writer lock's file for a SQLite database (None for an in-memory one)."""
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    return f"{name}-writer"


@dataclass
class WriterLock:
    """The writer lock of one database, for this thread (see the module docstring)."""

    path: str
    held: bool = False

    def acquire(self) -> None:
        if self.held:
            return
        fcntl.flock(_descriptors.get(self.path), fcntl.LOCK_EX)
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(_descriptors.get(self.path), fcntl.LOCK_UN)


# ------------------------------------------------------------------------ queued writes


@dataclass(slots=True)
class _Write:
    sql: str
    params: Sequence[Any]
    expect: int | None


@dataclass
class OptimisticWrites:
    """The queued writes of one optimistic command and where it stands: ``writing`` once
    it holds the write lock (everything then runs at once, as in any command)."""

    wrapper: Any
    lock: WriterLock
    pending: list[_Write] = field(default_factory=list)
    writing: bool = False
    flushing: bool = False

    def take(self, sql: str, params: Sequence[Any], expect: int | None) -> bool:
        """Queue a write of the write path (True), or leave it to run now (False)."""
        if self.writing or self.flushing:
            return False
        self.pending.append(_Write(sql, params, expect))
        return True

    def before(self, sql: str) -> None:
        """Called before any statement runs: one that is not a read of the snapshot
        (or any statement once writes are queued) takes the write lock first."""
        if not self.writing and not self.flushing and (self.pending or not is_read(sql)):
            self.switch()

    def switch(self) -> None:
        """End the read transaction, take the writer lock, ``BEGIN IMMEDIATE`` and run the
        queued writes, checking their row counts."""
        raw = self.wrapper.connection
        with self.wrapper.wrap_database_errors:
            if raw.in_transaction:
                raw.execute("COMMIT")  # the read snapshot: nothing written yet
            self.lock.acquire()
            raw.execute("BEGIN IMMEDIATE")
        self.writing = True
        pending, self.pending = self.pending, []
        from bpmn_engine.persistence.sql import run

        self.flushing = True
        try:
            for write in pending:
                changed = run(write.sql, write.params)
                if write.expect is not None and changed != write.expect:
                    raise OptimisticConflict(
                        f"Expected a queued write to change {write.expect} row(s), but it "
                        f"changed {changed}: another command changed what this one read"
                    )
        finally:
            self.flushing = False

    def finish(self) -> None:
        """At the end of the command: run what is still queued."""
        if self.pending:
            self.switch()

    def observe(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """Execute wrapper for the ORM's statements (the write path calls ``before``)."""
        self.before(sql)
        return execute(sql, params, many, context)

    observe.transparent = True  # type: ignore[attr-defined]  # sql._sqlite_direct


_active = threading.local()

# Instance ids a process reserves at a time for its optimistic starts.
ID_BLOCK = 32


class _IdBlocks(threading.local):
    """This thread's reserved instance ids, by database (a forked child starts empty)."""

    by_path: dict[str, list[int]]
    pid: int

    def __init__(self) -> None:
        self.by_path, self.pid = {}, os.getpid()

    def ids(self, path: str) -> list[int]:
        if self.pid != os.getpid():
            self.by_path, self.pid = {}, os.getpid()
        return self.by_path.setdefault(path, [])


_id_blocks = _IdBlocks()


def forget_reserved_ids() -> None:
    """Drop this thread's reserved ids (tests that want ids from a fresh block)."""
    _id_blocks.by_path.clear()


def reserve_instance_id(next_free: int, table: str) -> int:
    """The id of the instance an optimistic start inserts: the next of this thread's
    reserved block, or else ``next_free`` (the table's ``AUTOINCREMENT`` counter + 1, read
    in the snapshot), claiming ``ID_BLOCK`` ids from it with the start's writes. The claim
    moves the counter only from where the snapshot saw it (a row count the queue checks),
    so two processes never hold one block; ids reserved stay below the counter, so an
    instance created by ``AUTOINCREMENT`` (a call activity's child) is always newer than
    any reserved one, and a block the counter no longer covers (the table was emptied and
    its counter reset) is dropped. Outside an optimistic command: ``next_free`` (the write
    lock keeps it free)."""
    writes = active()
    if writes is None:
        return next_free
    path = lock_path(writes.wrapper.settings_dict) or ""
    reserved = _id_blocks.ids(path)
    if reserved and reserved[-1] < next_free:
        return reserved.pop(0)
    reserved.clear()  # the counter went back (the table was emptied): the block is void
    from bpmn_engine.persistence.sql import execute

    last = next_free + ID_BLOCK - 1
    execute(
        "UPDATE sqlite_sequence SET seq = %s WHERE name = %s AND seq = %s",
        (last, table, next_free - 1),
        expect=1,
    )
    transaction.on_commit(
        lambda: _id_blocks.ids(path).extend(range(next_free + 1, last + 1)),
        using=writes.wrapper.alias,
    )
    return next_free


def active() -> OptimisticWrites | None:
    """The optimistic command running in this thread, if any."""
    return getattr(_active, "writes", None)


def writer_lock(wrapper: Any) -> WriterLock | None:
    """This thread's writer lock of ``wrapper``'s database (None: not a SQLite file)."""
    if wrapper.vendor != "sqlite":
        return None
    path = lock_path(wrapper.settings_dict)
    return None if path is None else WriterLock(path)


@contextmanager
def command_transaction(*, optimistic: bool) -> Iterator[OptimisticWrites | None]:
    """A command's transaction (``atomic(durable=True)``). On a SQLite file it takes the
    writer lock first; ``optimistic``: it reads first and takes the lock for its writes
    only (module docstring). Yields the queue of an optimistic command, else None."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    lock = writer_lock(wrapper)
    if lock is None:
        with transaction.atomic(durable=True):
            yield None
        return
    with ExitStack() as stack:
        stack.callback(lock.release)  # after the COMMIT or ROLLBACK
        if not optimistic or wrapper.in_atomic_block:
            lock.acquire()
            stack.enter_context(transaction.atomic(durable=True))
            yield None
            return
        wrapper.ensure_connection()  # sets ``transaction_mode`` from the settings
        mode, wrapper.transaction_mode = wrapper.transaction_mode, "DEFERRED"
        try:
            stack.enter_context(transaction.atomic(durable=True))
        finally:
            wrapper.transaction_mode = mode
        writes = OptimisticWrites(wrapper, lock)
        stack.enter_context(wrapper.execute_wrapper(writes.observe))
        _active.writes = writes
        stack.callback(setattr, _active, "writes", None)
        yield writes
        writes.finish()
