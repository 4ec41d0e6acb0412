"""SQLite commands that hold the database's write lock only while their writes run.

SQLite has one writer at a time. A command whose ``BEGIN IMMEDIATE`` takes the write
lock holds it while it reads, runs the engine and builds its rows, which is most of a
command and all of it Python, so a second process waits for the first
(``docs/scaling.md``). Every command on a SQLite file first queues for the lock on an
``flock`` of a file beside the database (``command_transaction``): a process waiting for
another's writes sleeps in the kernel and is woken when the lock is released, instead of
in SQLite's busy handler, which polls in steps of milliseconds. Threads of one process
share their process's hold and meet SQLite's own lock among themselves, as do writers
that do not take it (the admin, migrations): their Python cannot overlap anyway.

While another process writes (it held the flock when this one last asked, within
``CONTENDED_SECONDS``), an *optimistic* command (``transactions.command(optimistic=True)``)

1. reads in a ``BEGIN DEFERRED`` transaction: one snapshot, no write lock;
2. queues the write path's statements (``sql.execute``, ``sql.defer``,
   ``sql.insert_rows``) instead of running them;
3. at its first statement that is not a read of that snapshot (a write of the ORM or of
   the audit writer, a savepoint, a read after a queued write), or at its end: ends the
   read transaction, takes the flock, starts ``BEGIN IMMEDIATE``, runs the queued writes
   and then the rest of the command under the lock.

Otherwise it takes the lock at once, like any command: with nobody else writing, reading
first would only add a second transaction.

The writes are checked against what was read. The instance's state ``UPDATE`` is guarded
by its version (the row count the queue checks); every other change to an instance's
tasks appends to the instance's audit chain, whose unique ``(stream, seq)`` refuses a
second event at one place; a start's reserved instance id is the primary key of the row
it inserts (such a start takes its id from a block its process reserved,
``reserve_instance_id``, so that two processes starting instances do not take the same
one). A failed check raises ``OptimisticConflict`` (an ``IntegrityError`` of the attempt
becomes one in ``transactions.command``), and the command runs again holding the lock
from its ``BEGIN``, so it always ends.

WAL checkpoints run after a command has released the writer lock
(``checkpoint_if_due``), as SQLite's own automatic checkpoint runs after SQLite's write
lock is released: another process writes while this one copies the WAL into the
database. SQLite's automatic checkpoint, which runs inside the ``COMMIT`` and so while
the command still holds the writer lock, stays on only as a backstop at a longer
interval (``AUTOCHECKPOINT_FRAMES``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created

from bpmn_engine.errors import ConcurrentModificationError

log = logging.getLogger(__name__)


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


# How long a process that found the writer lock held keeps reading first: each command
# that finds it free takes it at once, which while another process writes would keep
# that one waiting for this command's Python as well.
CONTENDED_SECONDS = 1.0


@dataclass
class _ProcessFlock:
    """One process's hold on a lock file, shared by its threads: the first holder takes
    the ``flock``, the last one to leave releases it. Threads of one process share the
    interpreter lock, so their Python gains nothing from running beside another's writes;
    among themselves they meet SQLite's own lock, as before."""

    fd: int
    holders: int = 0
    guard: threading.Lock = field(default_factory=threading.Lock)
    commands: int = 0  # this process's commands running now (any thread)
    counting: threading.Lock = field(default_factory=threading.Lock)  # for ``commands``
    # Until when (``time.monotonic()``) another process is taken to be writing: it held
    # the lock when this one last asked for it.
    contended_until: float = 0.0

    def enter(self) -> None:
        with self.guard:  # a thread that blocks here waits for another process's writes
            if self.holders == 0 and not self._take(fcntl.LOCK_EX | fcntl.LOCK_NB):
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            self.holders += 1

    def try_enter(self) -> bool:
        """``enter`` if no other process holds the lock now; False otherwise."""
        with self.guard:
            if self.holders == 0 and not self._take(fcntl.LOCK_EX | fcntl.LOCK_NB):
                return False
            self.holders += 1
            return True

    def _take(self, how: int) -> bool:
        try:
            fcntl.flock(self.fd, how)
        except BlockingIOError:
            self.contended_until = time.monotonic() + CONTENDED_SECONDS
            return False
        return True

    def contended(self) -> bool:
        return self.contended_until > time.monotonic()

    def leave(self) -> None:
        with self.guard:
            self.holders -= 1
            if self.holders == 0:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


_flocks: dict[tuple[int, str], _ProcessFlock] = {}
_flocks_guard = threading.Lock()


def _flock(path: str) -> _ProcessFlock:
    """This process's lock on ``path`` (a forked child opens the file again: a descriptor
    it inherited would share the parent's lock instead of excluding it)."""
    key = (os.getpid(), path)
    found = _flocks.get(key)
    if found is None:
        with _flocks_guard:
            found = _flocks.get(key)
            if found is None:
                found = _flocks[key] = _ProcessFlock(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    return found


def lock_path(settings_dict: dict[str, Any]) -> str | None:
    """The writer lock's file for a SQLite database (None for an in-memory one)."""
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    return f"{name}-writer"


@dataclass
class WriterLock:
    """One command's hold on the writer lock of its database (module docstring)."""

    path: str
    shared: _ProcessFlock
    held: bool = False

    def acquire(self) -> None:
        if not self.held:
            self.shared.enter()
            self.held = True

    def try_acquire(self) -> bool:
        if not self.held:
            self.held = self.shared.try_enter()
        return self.held

    def release(self) -> None:
        if self.held:
            self.held = False
            self.shared.leave()


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
    # Writes no read of the command depends on (a claim of instance ids): they run first
    # when the lock is taken, and queuing them does not make the next read take it.
    claims: list[_Write] = field(default_factory=list)
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
        pending, self.pending, self.claims = [*self.claims, *self.pending], [], []
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
        if self.pending or self.claims:
            self.switch()

    def observe(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """Execute wrapper for the ORM's statements (the write path calls ``before``)."""
        self.before(sql)
        return execute(sql, params, many, context)

    observe.transparent = True  # type: ignore[attr-defined]  # sql._sqlite_direct


class _Active(threading.local):
    writes: OptimisticWrites | None = None


# ``current.writes``: the optimistic command running in this thread (read on every
# statement of the write path, so an attribute, not a call).
current = _Active()

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


def forget_process_state() -> None:
    """Drop this thread's reserved ids, this process's memory of another writer and its
    checkpoint schedules (for tests that want a fresh block, a decision from the lock
    alone and a checkpoint only when their own commands make one due)."""
    _id_blocks.by_path.clear()
    for shared in list(_flocks.values()):
        shared.contended_until = 0.0
    _schedules.clear()


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
    writes = current.writes
    if writes is None:
        return next_free
    path = writes.lock.path
    reserved = _id_blocks.ids(path)
    if reserved and reserved[-1] < next_free:
        return reserved.pop(0)
    reserved.clear()  # the counter went back (the table was emptied): the block is void
    last = next_free + ID_BLOCK - 1
    writes.claims.append(
        _Write(
            "UPDATE sqlite_sequence SET seq = %s WHERE name = %s AND seq = %s",
            (last, table, next_free - 1),
            1,
        )
    )
    transaction.on_commit(
        lambda: _id_blocks.ids(path).extend(range(next_free + 1, last + 1)),
        using=writes.wrapper.alias,
    )
    return next_free


def _writer_path(wrapper: Any) -> str | None:
    """The writer lock's file of ``wrapper``'s database (None: not a SQLite file, or a
    lock file that cannot be opened or locked here: then SQLite's own lock alone queues
    the writers, as it did before), kept on the wrapper: a command asks for it every
    time."""
    name = wrapper.settings_dict.get("NAME")
    kept = getattr(wrapper, "_procession_writer_path", None)
    if kept is not None and kept[0] == name:  # the test runner renames the database
        return kept[1]
    path = lock_path(wrapper.settings_dict) if wrapper.vendor == "sqlite" else None
    if path is not None:
        try:
            shared = _flock(path)
            fcntl.flock(shared.fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            fcntl.flock(shared.fd, fcntl.LOCK_UN)
        except BlockingIOError:
            pass  # held by another process right now: locking works
        except OSError as exc:
            log.warning("no writer lock for %s (%s): SQLite's own lock only", path, exc)
            path = None
    wrapper._procession_writer_path = (name, path)
    return path


class command_transaction:
    """A command's transaction (``atomic(durable=True)``). On a SQLite file it takes the
    writer lock first. ``optimistic``: while another process holds the lock the command
    reads first and takes the lock for its writes only (module docstring); with the lock
    free it takes it at once, as any command does. ``as`` gives the queue of a command
    that reads first, else None."""

    __slots__ = ("atomic", "lock", "optimistic", "shared", "wrapped", "wrapper", "writes")

    def __init__(self, *, optimistic: bool) -> None:
        self.optimistic = optimistic
        self.writes: OptimisticWrites | None = None

    def __enter__(self) -> OptimisticWrites | None:
        wrapper = self.wrapper = connections[DEFAULT_DB_ALIAS]
        path = _writer_path(wrapper)
        self.atomic = transaction.atomic(durable=True)
        self.lock = None
        if path is None:
            self.atomic.__enter__()
            return None
        shared = self.shared = _flock(path)
        lock = self.lock = WriterLock(path, shared)
        with shared.counting:
            shared.commands += 1
            others = shared.commands > 1
        try:
            if (
                not self.optimistic
                or wrapper.in_atomic_block
                or others
                or (not shared.contended() and lock.try_acquire())
            ):
                lock.acquire()
                self.atomic.__enter__()
                return None
            wrapper.ensure_connection()  # sets ``transaction_mode`` from the settings
            mode, wrapper.transaction_mode = wrapper.transaction_mode, "DEFERRED"
            try:
                self.atomic.__enter__()
            finally:
                wrapper.transaction_mode = mode
        except BaseException:
            self._leave()
            raise
        writes = self.writes = OptimisticWrites(wrapper, lock)
        self.wrapped = wrapper.execute_wrapper(writes.observe)
        self.wrapped.__enter__()
        current.writes = writes
        return writes

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        try:
            self._exit(kind, error, trace)
        finally:
            if self.wrapper.vendor == "sqlite":
                checkpoint_if_due(self.wrapper)

    def _exit(self, kind: Any, error: Any, trace: Any) -> None:
        try:
            writes = self.writes
            if writes is not None:
                current.writes = None
                self.wrapped.__exit__(kind, error, trace)
                if kind is None:
                    try:
                        writes.finish()
                    except BaseException as exc:
                        self.atomic.__exit__(type(exc), exc, exc.__traceback__)
                        raise
            self.atomic.__exit__(kind, error, trace)
        finally:
            self._leave()

    def _leave(self) -> None:
        if self.lock is not None:
            self.lock.release()  # after the COMMIT or ROLLBACK
            with self.shared.counting:
                self.shared.commands -= 1


# ---------------------------------------------------------------------------- checkpoints

# SQLite's own interval (``wal_autocheckpoint``'s default): a command runs a checkpoint,
# once it has released the writer lock, when about this many WAL frames have been written
# since the last one. 0: commands never do.
CHECKPOINT_FRAMES = 1000
# SQLite's automatic checkpoint (inside the ``COMMIT``, the writer lock still held) on
# every connection: the backstop for a WAL that the commands' checkpoints did not keep
# short (another process's checkpoint was running when they came) and for writes that
# are not commands (the admin, migrations).
AUTOCHECKPOINT_FRAMES = 4 * CHECKPOINT_FRAMES
# Frames a command is taken to write until a checkpoint has measured it.
FIRST_ESTIMATE = 32.0


def _backstop(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Every new SQLite connection: SQLite's automatic checkpoint as the backstop."""
    if connection.vendor == "sqlite" and CHECKPOINT_FRAMES:
        connection.connection.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_FRAMES}")


connection_created.connect(_backstop, dispatch_uid="procession_sqlite_checkpoint_backstop")


@dataclass
class CheckpointSchedule:
    """When one process's commands on one database next checkpoint. The WAL's length is
    known only from a checkpoint's answer (SQLite keeps it in shared memory that only its
    own connections may touch: a descriptor of the ``-shm`` file opened and closed here
    would drop the process's locks on it), so each checkpoint measures the frames written
    per command of this process since the one before (every process's frames: two
    processes writing alike each see twice their own), and the next comes when that
    estimate reaches ``CHECKPOINT_FRAMES``."""

    commands: int = 0  # this process's commands since its last checkpoint
    per_command: float = FIRST_ESTIMATE
    frames: int = 0  # the WAL's length at the last checkpoint
    whole: bool = True  # the last checkpoint copied the whole WAL: it starts over

    def count(self) -> bool:
        """One more command; whether a checkpoint is due."""
        self.commands += 1
        return self.commands * self.per_command >= CHECKPOINT_FRAMES

    def measured(self, frames: int, copied: int) -> None:
        """A checkpoint found ``frames`` in the WAL and copied ``copied`` of them."""
        written = frames if self.whole or frames < self.frames else frames - self.frames
        self.per_command = max(written, 1) / max(self.commands, 1)
        self.commands, self.frames, self.whole = 0, frames, copied == frames


# By database. A forked child gets a copy: its own schedule, with the parent's estimate.
_schedules: dict[str, CheckpointSchedule] = {}


def _schedule(database: str) -> CheckpointSchedule:
    found = _schedules.get(database)
    if found is None:
        found = _schedules[database] = CheckpointSchedule()
    return found


def checkpoint_if_due(wrapper: Any) -> None:
    """After a command on ``wrapper`` released the writer lock: copy the WAL into the
    database (a ``PASSIVE`` checkpoint: it waits for nobody) when its schedule says about
    ``CHECKPOINT_FRAMES`` frames await it, unless the connection's automatic checkpoints
    were turned off (``wal_autocheckpoint=0``: the WAL is being read, as the page-count
    bench does). Another process's checkpoint that is running makes this one return at
    once; the next command asks again."""
    raw = wrapper.connection
    if not CHECKPOINT_FRAMES or raw is None or wrapper.in_atomic_block or raw.in_transaction:
        return
    schedule = _schedule(str(wrapper.settings_dict.get("NAME") or ""))
    if not schedule.count():
        return
    try:
        (interval,) = raw.execute("PRAGMA wal_autocheckpoint").fetchone()
        if interval <= 0:
            return
        busy, frames, copied = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.Error as exc:  # the command has committed: a failed checkpoint is retried
        log.warning("WAL checkpoint failed (%s): the next command tries again", exc)
        return
    if not busy:
        if frames < 0:  # not in WAL mode: nothing to copy, ever
            schedule.per_command = 0.0
        else:
            schedule.measured(frames, copied)
