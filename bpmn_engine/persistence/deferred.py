"""The write path's statements of many steps in one transaction, sent together: the
timer batch's counterpart of a command's ``sql.WriteBatch``.

Inside ``deferring()``, the statements a step runs through ``sql.execute`` (which is
where ``sql.defer`` and ``sql.insert_rows`` end up outside a command's ``WriteBatch``)
while ``writing_for(instance_id)`` is active are queued under that instance instead of
run. The queue goes to the database when the block ends, or just before any other
statement runs on the connection (an ORM read or write, a lock, the audit insert), so
every statement sees the writes queued before it.

Every write-path statement is keyed by its instance (its row, tokens, variables, work
and history rows), so statements of different instances touch different rows and
commute: the flush runs each statement text once for every instance that queued it
(``executemany``; on PostgreSQL all of them in one pipeline, one round trip), each
instance's statements in their own order. On PostgreSQL a statement of a shape
``set_writes`` knows goes out as one set-based statement for the rows of every instance
(one statement per instance and group, so no two rows of one statement hit one row).
A row count the caller expects (the version guard) is checked at the flush; a shortfall
raises ``ConcurrentModificationError`` and the caller's transaction rolls back as it
would have at the statement itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from bpmn_engine.errors import ConcurrentModificationError
from bpmn_engine.persistence.set_writes import SetForm, columns_of, set_form


@dataclass(slots=True)
class _Statement:
    sql: str
    params: Sequence[Any]
    expect: int | None


@dataclass
class _Queue:
    by_instance: dict[int, deque[_Statement]] = field(default_factory=dict)
    current: int | None = None
    flushing: bool = False
    statements: int = 0  # queued so far (for tests and benchmarks)
    flushes: int = 0  # times the queue went to the database

    def flush(self) -> None:
        queues = [q for q in self.by_instance.values() if q]
        self.by_instance = {}
        if not queues:
            return
        groups: list[_Group] = []
        set_based = connection.vendor == "postgresql"
        while queues:
            text = queues[0][0].sql
            form = set_form(text) if set_based else None
            group = _Group(text if form is None else form.sql, form, [])
            for queue in queues:
                if form is not None:  # one statement per instance: one row per target row
                    if set_form(queue[0].sql) == form:
                        group.statements.append(queue.popleft())
                    continue
                while queue and queue[0].sql == text:
                    group.statements.append(queue.popleft())
            queues = [q for q in queues if q]
            groups.append(group)
        self.flushing = True
        try:
            _send(groups)
            self.flushes += 1
        finally:
            self.flushing = False


@dataclass(slots=True)
class _Group:
    """Statements sent together: one text run for each (``executemany``), or with a
    ``form``, one set-based statement for the rows of all of them."""

    sql: str
    form: SetForm | None
    statements: list[_Statement]

    def params(self) -> list[Sequence[Any]]:
        if self.form is None:
            return [s.params for s in self.statements]
        rows = [row for s in self.statements for row in self.form.rows(s.params)]
        return [columns_of(rows)]


def _send(groups: list[_Group]) -> None:
    """Each group's statement once for all its parameter sets; on PostgreSQL all groups
    in one pipeline (one round trip), their row counts checked once the results are in."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for group in groups:
                cursor.executemany(group.sql, group.params())
                _check(cursor.rowcount, group.statements)
        return
    from bpmn_engine.persistence.sql import cursor as write_cursor  # sql imports this module

    connection.ensure_connection()
    cursors = [write_cursor() for _ in groups]
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            for cursor, group in zip(cursors, groups, strict=True):
                params = group.params()
                if len(params) == 1:
                    cursor.execute(group.sql, params[0])
                else:
                    cursor.executemany(group.sql, params)
        for cursor, group in zip(cursors, groups, strict=True):
            _check(cursor.rowcount, group.statements)
    finally:
        for cursor in cursors:
            cursor.close()


def _check(rowcount: int, group: list[_Statement]) -> None:
    expected = [s.expect for s in group if s.expect is not None]
    if expected and rowcount != sum(expected):
        raise ConcurrentModificationError(
            f"Expected {len(group)} queued writes to change {sum(expected)} rows, but they "
            f"changed {rowcount}: another command changed an instance"
        )


_active: ContextVar[_Queue | None] = ContextVar("deferred_writes", default=None)


@contextmanager
def deferring() -> Iterator[_Queue]:
    """Queue the write path's statements inside the block (see the module docstring);
    the caller owns the transaction around it."""
    if _active.get() is not None:  # nested: the outer block flushes
        yield _active.get()  # type: ignore[misc]
        return
    queue = _Queue()

    def flush_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not queue.flushing and queue.by_instance:
            queue.flush()
        return execute(sql, params, many, context)

    token = _active.set(queue)
    try:
        with connection.execute_wrapper(flush_first):
            yield queue
            queue.flush()
    finally:
        _active.reset(token)


@contextmanager
def writing_for(instance_id: int) -> Iterator[None]:
    """The statements run inside the block write instance ``instance_id``'s rows."""
    queue = _active.get()
    if queue is None:
        yield
        return
    previous, queue.current = queue.current, instance_id
    try:
        yield
    finally:
        queue.current = previous


def take(sql: str, params: Sequence[Any], expect: int | None = None) -> bool:
    """Queue the statement if a step's writes are being deferred; False to run it now."""
    queue = _active.get()
    if queue is None or queue.current is None or queue.flushing:
        return False
    queue.by_instance.setdefault(queue.current, deque()).append(
        _Statement(sql, tuple(params), expect)
    )
    queue.statements += 1
    return True
