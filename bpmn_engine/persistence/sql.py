"""The write path's own SQL: a few statements written once, run through Django's
connection (so transactions, error wrapping and query capture stay Django's) but without
the ORM's per-statement query building. The ORM keeps models, migrations, admin and the
read side; the statements here are the ones every command runs.

Placeholders are ``%s`` on every backend (Django's SQLite cursor translates them);
datetimes and JSON go through the backend's own adapters, so rows written here read back
through the ORM exactly like rows the ORM wrote.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import datetime
from functools import cache, lru_cache, partial
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.dispatch import receiver
from psycopg import Cursor as BindingCursor
from psycopg import Pipeline, ServerCursor
from psycopg._queries import PostgresQuery, _query2pg_nocache
from psycopg.pq import TransactionStatus

from bpmn_engine.models.encoding import ExactJSONEncoder
from bpmn_engine.persistence import deferred, sqlite_writes


class _Held(threading.local):
    """What one command holds on to in its thread (``audit_heads_scope``): Django's
    connection wrapper (``connections[alias]`` is a context-aware lookup of ~1 µs, and
    a command's statements ask for it ~20 times) and the audit chain heads it has read
    or moved, and ``settings.DEBUG`` (a lazy setting: ~1 µs a read)."""

    wrapper: Any = None
    audit_heads: dict[str, tuple[int, str] | None] | None = None
    debug: bool | None = None


_held = _Held()


def default_connection() -> Any:
    """This thread's default database connection (Django's wrapper): the one held for
    the running command, else looked up."""
    wrapper = _held.wrapper
    return connections[DEFAULT_DB_ALIAS] if wrapper is None else wrapper


def _queries_logged(wrapper: Any) -> bool:
    """``wrapper.queries_logged``, with ``DEBUG`` as the running command read it."""
    if wrapper.force_debug_cursor:
        return True
    debug = _held.debug
    return bool(settings.DEBUG if debug is None else debug)


@cache
def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def vendor() -> str:
    """The database's vendor. One database per process: it never changes (read through
    the connection proxy, a thread-local lookup, once instead of on every statement)."""
    return str(connection.vendor)


def is_postgres() -> bool:
    return vendor() == "postgresql"


# ``json.dumps(value, cls=ExactJSONEncoder)`` builds an encoder on every call; one with
# the same (default) options writes the same text.
_JSON = ExactJSONEncoder()


def json_value(value: Any) -> str:
    """A JSON column's parameter: the text the ORM would store (``ExactJSONEncoder``)."""
    return _JSON.encode(value)


def json_placeholder() -> str:
    return "%s::jsonb" if is_postgres() else "%s"


_last_when: tuple[Any, Any] = (None, None)


def when(value: datetime | None) -> Any:
    """A datetime parameter as the ORM binds it (PostgreSQL: the aware value itself;
    SQLite: text, the last one kept: a command binds its own time many times)."""
    global _last_when
    if value is None or is_postgres():
        return value
    last = _last_when  # one read: another thread may replace it meanwhile
    if last[0] is value:
        return last[1]
    adapted = default_connection().ops.adapt_datetimefield_value(value)
    _last_when = (value, adapted)
    return adapted


# PostgreSQL's protocol binds at most 65,535 parameters to one statement; statements
# with more than PREPARE_MAX_PARAMS (a 10,000-token start's inserts) are one-off texts,
# not worth keeping prepared.
PG_MAX_PARAMS = 65_535
PREPARE_MAX_PARAMS = 1_000


# psycopg converts a statement's ``%s`` placeholders to ``$n`` with a regular expression
# and keeps the result only for texts of at most 4 KB and 50 parameters; the write path's
# merged statements (``merged``) are longer, few and repeated, so their conversion is
# kept here (psycopg is pinned: ``PostgresQuery`` and ``_query2pg_nocache`` are its
# internals).
_query2pg = lru_cache(maxsize=512)(_query2pg_nocache)


class _WritePathQuery(PostgresQuery):
    """psycopg's server-bound query, its placeholder conversion cached whatever its
    length (statements beyond ``PREPARE_MAX_PARAMS`` parameters are one-offs: not kept)."""

    def convert(self, query: Any, vars: Any) -> None:
        if vars is None or len(vars) > PREPARE_MAX_PARAMS or not isinstance(query, str | bytes):
            super().convert(query, vars)
            return
        query = self._ensure_bytes(query)
        self.query, self._want_formats, self._order, self._parts = _query2pg(
            query, self._tx.encoding
        )
        self.dump(vars)


class _PreparingCursor(BindingCursor[Any]):
    """A psycopg cursor that binds parameters on the server and prepares the statements
    it runs (psycopg keeps them per connection, keyed by text and parameter types, and
    deallocates the least recently used beyond its ``prepared_max``).

    ``buffered``: in pipeline mode a statement only goes into libpq's output buffer, and
    reaches the server with the next statement that talks to it or with the pipeline's
    sync. psycopg otherwise sends each statement of a pipeline on its own (a ``poll``
    and a ``send`` per statement, and as many passes of its Python loop); buffered, a
    round trip of many statements is one ``send``. For statements whose results are
    read after the round trip (``fetch_pipelined``) or not at all (``WriteBatch``)."""

    _query_cls = _WritePathQuery
    buffered = False

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("prepare", params is None or len(params) <= PREPARE_MAX_PARAMS)
        return super().execute(query, params, **kwargs)

    def _execute_gen(  # type: ignore[override]
        self,
        query: Any,
        params: Any = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> Any:
        """psycopg's ``_execute_gen`` (pinned), whose pipeline step, buffered, queues the
        statement's libpq calls at once instead of sending them."""
        pipeline = self._conn._pipeline
        if not self.buffered or pipeline is None:
            return (yield from super()._execute_gen(query, params, prepare=prepare, binary=binary))
        yield from self._start_query(query)
        pgq = self._convert_query(query, params)
        yield from self._maybe_prepare_gen(pgq, prepare=prepare, binary=binary)
        commands = pipeline.command_queue
        while commands:  # what psycopg's send loop calls, one per pass, between flushes
            commands.popleft()()
        self._last_query = query
        yield from self._conn._prepared.maintain_gen(self._conn)


def size_prepared_cache(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: a new PostgreSQL connection keeps up to
    ``DATABASE_PREPARED_MAX`` statements prepared, so a mix of commands whose merged
    statements outnumber psycopg's default of 100 does not deallocate and prepare them
    again, round after round."""
    if connection.vendor == "postgresql":
        connection.connection.prepared_max = settings.DATABASE_PREPARED_MAX


def cursor(*, buffered: bool = False) -> Any:
    """A cursor for the write path's own statements, wrapped by Django as usual (execute
    wrappers, query capture, error wrapping). On PostgreSQL the statements are bound on
    the server and prepared: each of the few fixed statements is parsed and planned once
    per connection, not on every command, and no parameter is quoted into the text
    (Django's own cursors bind on the client). Elsewhere, and while queries are logged
    (``DEBUG``, ``CaptureQueriesContext``: Django logs a statement's text only from its
    own cursors), Django's cursor. ``buffered``: see ``_PreparingCursor``."""
    wrapper = default_connection()  # one lookup, not five
    if not is_postgres() or _queries_logged(wrapper):
        return wrapper.cursor()
    if wrapper.connection is None:
        wrapper.ensure_connection()
    with wrapper.wrap_database_errors:
        # What ``connection.cursor()`` does, with this cursor class.
        raw = _PreparingCursor(wrapper.connection)
        raw.buffered = buffered
        return wrapper._prepare_cursor(raw)


@lru_cache(maxsize=1024)
def _qmark(sql: str) -> str:
    """``sql`` in SQLite's placeholder style, as Django's SQLite cursor converts it (once
    per text here, on every execution there)."""
    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def _sqlite_direct() -> Any:
    """The SQLite connection itself when nothing observes statements (no execute
    wrapper, no query log: ``CaptureQueriesContext`` and ``DEBUG`` take Django's cursor),
    else None. Django's cursor wrapper costs more Python per statement than SQLite takes
    to run one of the write path's statements; what it does that matters is kept: the
    connection is opened, a broken transaction refused, errors wrapped."""
    wrapper = default_connection()
    wrappers = wrapper.execute_wrappers
    if (wrappers and _observed(wrappers)) or _queries_logged(wrapper):
        return None
    if wrapper.connection is None:
        wrapper.ensure_connection()
    if wrapper.needs_rollback:
        wrapper.validate_no_broken_transaction()  # raises
    return wrapper


_optimistic = sqlite_writes.current


def _observed(wrappers: list[Any]) -> bool:
    """Whether an execute wrapper that wants to see the write path's statements is
    installed (an optimistic command's own, ``sqlite_writes``, is told directly)."""
    return any(not getattr(w, "transparent", False) for w in wrappers)


def _run(sql: str, params: Sequence[Any]) -> Any:
    """Run one statement; returns the cursor to read it from (the caller closes it)."""
    if not is_postgres():
        writes = _optimistic.writes
        if writes is not None:
            writes.before(sql)
        wrapper = _sqlite_direct()
        if wrapper is not None:
            with wrapper.wrap_database_errors:
                return wrapper.connection.execute(_qmark(sql), params)
    c = cursor()
    try:
        c.execute(sql, params)
    except BaseException:
        c.close()
        raise
    return c


def execute(sql: str, params: Sequence[Any] = (), *, expect: int | None = None) -> int:
    """Run one statement; returns the row count. Inside ``deferred.deferring()`` (a timer
    batch) a step's statement is queued instead: it returns ``expect`` (-1 if None), and
    the flush checks that the statement changed ``expect`` rows. So does an optimistic
    command's write on SQLite until it takes the write lock (``sqlite_writes``)."""
    if deferred.take(sql, params, expect):
        return -1 if expect is None else expect
    writes = _optimistic.writes
    if writes is not None and not sqlite_writes.is_read(sql) and writes.take(sql, params, expect):
        return -1 if expect is None else expect
    return run(sql, params)


def run(sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement now (never queued); returns the row count."""
    c = _run(sql, params)
    try:
        return int(c.rowcount)
    finally:
        c.close()


def fetchall(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    c = _run(sql, params)
    try:
        return list(c.fetchall())
    finally:
        c.close()


def fetchone(sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    c = _run(sql, params)
    try:
        row = c.fetchone()
        return None if row is None else tuple(row)
    finally:
        c.close()


@contextmanager
def pipeline(raw: Any) -> Iterator[None]:
    """``raw.pipeline()`` (psycopg) whose round trip also opens the transaction when the
    next statement would. psycopg adds the ``BEGIN`` itself and, in pipeline mode, waits
    for it on its own (a round trip of its own before every command's first statement);
    here the ``BEGIN`` is queued first in the same pipeline. psycopg is pinned: its
    ``_autocommit`` flag is lowered only while that ``BEGIN`` is queued, so that psycopg
    adds none; the statements after it see the transaction as under way."""
    with raw.pipeline():
        if not raw._autocommit and raw.pgconn.transaction_status == TransactionStatus.IDLE:
            raw._autocommit = True
            try:
                with _PreparingCursor(raw) as begin:  # buffered: leaves with the statements
                    begin.buffered = True
                    begin.execute(raw._get_tx_start_command(), prepare=False)
            finally:
                raw._autocommit = False
        yield


def fetch_pipelined(
    *statements: tuple[str, Sequence[Any]],
) -> list[list[tuple[Any, ...]]]:
    """The rows of each statement, all sent in one round trip (PostgreSQL pipeline mode;
    the server still runs them one after the other, each with its own snapshot), the
    transaction's ``BEGIN`` with them when it has not started yet."""
    cursors = [cursor(buffered=True) for _ in statements]
    wrapper = default_connection()
    try:
        with wrapper.wrap_database_errors, pipeline(wrapper.connection):
            for each, (sql, params) in zip(cursors, statements, strict=True):
                each.execute(sql, params)
        return [each.fetchall() for each in cursors]
    finally:
        for each in cursors:
            each.close()


def known_audit_heads() -> dict[str, tuple[int, str] | None] | None:
    """The audit chain heads this command has already read or moved (by stream; None: the
    stream has no head yet), or None outside a command (``audit_heads_scope``)."""
    return _held.audit_heads


def remember_audit_head(stream: str, head: tuple[int, str] | None) -> None:
    known = known_audit_heads()
    if known is not None:
        known[stream] = head


class audit_heads_scope:
    """Keep the audit chain heads read and moved by one command's transaction: an
    instance stream's head comes with the instance lock, so writing the command's events
    needs no further read."""

    def __enter__(self) -> None:
        _held.wrapper = connections[DEFAULT_DB_ALIAS]
        _held.audit_heads = {}
        _held.debug = settings.DEBUG

    def __exit__(self, *exc: object) -> None:
        _held.wrapper = _held.audit_heads = _held.debug = None


def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    json_columns: frozenset[str] = frozenset(),
    suffix: str = "",
) -> list[tuple[Any, ...]]:
    """One multi-row ``INSERT`` of ``rows`` into ``model``'s table (``suffix`` e.g. an
    ``ON CONFLICT`` or ``RETURNING`` clause; its result rows are returned). Without
    ``RETURNING`` nothing is read back, so the insert is deferred (``defer``)."""
    if not rows:
        return []
    head, one = _insert_parts(model, tuple(columns), json_columns)
    returned: list[tuple[Any, ...]] = []
    for batch in batches(rows, len(columns)):
        params = [value for row in batch for value in row]
        statement = f"{head}{', '.join([one] * len(batch))} {suffix}"
        if "RETURNING" in suffix:
            returned += fetchall(statement, params)
        else:
            defer(statement, params)
    return returned


@cache
def _insert_parts(
    model: type[Model], columns: tuple[str, ...], json_columns: frozenset[str]
) -> tuple[str, str]:
    """``INSERT INTO table (columns) VALUES `` and one row's placeholders."""
    quote = connection.ops.quote_name
    cast = json_placeholder()
    one = "(" + ", ".join(cast if c in json_columns else "%s" for c in columns) + ")"
    return f"INSERT INTO {table(model)} ({', '.join(quote(c) for c in columns)}) VALUES ", one


def batches(rows: Sequence[Any], width: int) -> list[Sequence[Any]]:
    """``rows`` cut so that no statement binds more parameters than the database takes
    (SQLite: ``max_query_params``; PostgreSQL, bound on the server: 65,535): a command
    that starts a 10,000-token instance inserts 10,000 token rows."""
    limit = _max_params()
    if not limit or len(rows) * width <= limit:
        return [rows]
    size = max(1, limit // max(1, width))
    return [rows[i : i + size] for i in range(0, len(rows), size)]


@cache
def _max_params() -> int | None:
    return PG_MAX_PARAMS if is_postgres() else connection.features.max_query_params


@cache
def _converters(model: type[Model], vendor: str) -> list[list[Any]]:
    result = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        result.append(
            [(conv, col) for conv in connection.ops.get_db_converters(col)]
            + [(conv, col) for conv in col.get_db_converters(connection)]
        )
    return result


@lru_cache(maxsize=256)
def select_list(model: type[Model], alias: str) -> str:
    """Every concrete column of ``model`` (in field order) qualified by ``alias``."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def column_count(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


# Rows read again and again with the same raw values (a process definition: every start
# and every command on an instance reads its definition with it), by model: raw values ->
# converted ones. SQLite only (its raw values are text and numbers; psycopg hands out
# JSON already decoded, and the PostgreSQL path is not where conversion costs show).
_SAME_ROWS_MAX = 64
_same_rows: dict[type[Model], dict[tuple[Any, ...], list[Any]]] = {}


@receiver(setting_changed)
def _forget_same_rows(*, setting: str, **kwargs: Any) -> None:
    """Converted datetimes depend on the time zone settings (tests override them)."""
    if setting in {"USE_TZ", "TIME_ZONE", "DATABASES"}:
        _same_rows.clear()


def build(model: type[Model], values: Sequence[Any], *, same_rows: bool = False) -> Model:
    """A model instance from the raw values of ``select_list(model, ...)``, converted as
    the ORM converts them (JSON decoded, SQLite datetimes and booleans parsed).

    ``same_rows``: the model's rows are read far more often than they change (process
    definitions): the converted values of the last rows seen are kept, keyed by their raw
    values, so a row read again skips the conversion (its JSON decoded, its datetimes
    parsed). Each instance still gets values of its own (lists and dicts copied)."""
    converted: list[Any] | None = None
    if same_rows and not is_postgres():
        kept = _same_rows.setdefault(model, {})
        try:
            key = tuple(values)
            converted = kept.get(key)
        except TypeError:  # a raw value that cannot be a key: convert as usual
            key, converted = None, None
        if converted is not None:
            converted = [_fresh(v) for v in converted]
        else:
            converted = _converted(model, values)
            if key is not None:
                if len(kept) >= _SAME_ROWS_MAX:
                    kept.clear()
                kept[key] = [_fresh(v) for v in converted]
    else:
        converted = _converted(model, values)
    if _init_signals(model):
        return model.from_db(DEFAULT_DB_ALIAS, _attnames(model), converted)
    # What ``from_db`` does for a full row, without ``Model.__init__``'s per-field
    # keyword handling: the row's values straight into the instance's attributes.
    obj = model.__new__(model)
    state = obj._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    obj.__dict__.update(zip(_attnames(model), converted, strict=True))
    return obj


def _init_signals(model: type[Model]) -> bool:
    """Whether ``pre_init`` or ``post_init`` has a receiver for ``model``, which an
    instance built without ``Model.__init__`` would not notify (mostly there is no
    receiver at all: two list checks instead of two receiver-cache lookups)."""
    if not pre_init.receivers and not post_init.receivers:
        return False
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


def _fresh(value: Any) -> Any:
    """A copy of the lists and dicts of a decoded JSON value (the rest is immutable)."""
    kind = type(value)
    if kind is list:
        return [_fresh(v) for v in value]
    if kind is dict:
        return {k: _fresh(v) for k, v in value.items()}
    return value


def _converted(model: type[Model], values: Sequence[Any]) -> list[Any]:
    converted = []
    wrapper = default_connection()
    for value, converters in zip(values, _converters(model, vendor()), strict=True):
        for converter, col in converters:
            value = converter(value, col, wrapper)
        converted.append(value)
    return converted


def new(model: type[Model], **fields: Any) -> Model:
    """``model(**fields)``, an unsaved instance, without ``Model.__init__``'s per-field
    keyword handling: every column takes its default, then ``fields`` are set through the
    model's attributes (a related object through its descriptor, as ``__init__`` does).
    ``fields`` must name model fields (not checked here, unlike ``__init__``)."""
    if _init_signals(model):
        return model(**fields)
    obj = model.__new__(model)
    obj._state = ModelState()
    values = obj.__dict__
    for attname, default, call in _defaults(model):
        values[attname] = default() if call else default
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


@cache
def _defaults(model: type[Model]) -> list[tuple[str, Any, bool]]:
    """Each concrete field's attribute name and default: a callable default (``dict``) is
    called for every instance, any other is computed once (immutable values)."""
    return [
        (f.attname, f.default, True)
        if f.has_default() and callable(f.default)
        else (f.attname, f.get_default(), False)
        for f in model._meta.concrete_fields
    ]


@cache
def _attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def batching() -> bool:
    """Whether ``defer`` keeps writes for later: a command's ``WriteBatch`` on PostgreSQL."""
    return getattr(default_connection(), "write_batch", None) is not None


def defer(sql: str, params: Sequence[Any] = ()) -> None:
    """Run a write whose result nobody reads. Inside a command on PostgreSQL it waits in
    the command's ``WriteBatch`` and reaches the server with the next statement or with
    the ``COMMIT``, in one round trip; elsewhere it runs now."""
    if not is_postgres():  # no write batch (``write_batch``)
        execute(sql, params)
        return
    batch = getattr(default_connection(), "write_batch", None)
    if batch is None:
        execute(sql, params)
    else:
        batch.pending.append((sql, params))


class WriteBatch:
    """The deferred writes of one command on PostgreSQL (``defer``), sent in pipeline mode
    (psycopg) in the round trip of the next statement the command runs (an execute
    wrapper, so every statement, the ORM's too, sees them in order) or of its ``COMMIT``
    (``send_with_commit``). The first statement also carries the ``BEGIN``. An error of a
    deferred write is raised where it is sent, inside the command's transaction, which
    then rolls back as before. Statements that read results wait for them as usual: the
    pipeline is synchronised before the wrapped statement returns."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, Sequence[Any]]] = []
        self.sending = False
        self.stack = ExitStack()

    def __enter__(self) -> WriteBatch:
        self.stack.enter_context(connection.execute_wrapper(self._before))
        connection.write_batch = self
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            # Leaves pipeline mode after the COMMIT (send_with_commit). The command's
            # error goes along: a write refused at the COMMIT makes Django drop the
            # connection, and leaving pipeline mode on it must not replace that error.
            self.stack.__exit__(*exc)
        finally:
            connection.write_batch = None
            self.pending = []

    def _before(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """Run a statement of the command; the pending writes, and the ``BEGIN`` when the
        transaction has not started on the server yet, go in the same round trip."""
        raw = connection.connection
        if self.sending:
            return execute(sql, params, many, context)
        if raw._pipeline is not None:  # already in a round trip: the writes go ahead of it
            if self.pending:
                self._send()
            return execute(sql, params, many, context)
        if not self.pending and raw.info.transaction_status != TransactionStatus.IDLE:
            return execute(sql, params, many, context)
        if isinstance(context["cursor"].cursor, ServerCursor):  # not in pipeline mode
            with connection.wrap_database_errors, pipeline(raw):
                self._send()
            return execute(sql, params, many, context)
        with connection.wrap_database_errors, pipeline(raw):
            self._send()
            return execute(sql, params, many, context)

    def _send(self) -> None:
        pending, self.pending = self.pending, []
        self.sending = True
        try:
            with cursor(buffered=True) as c:
                for sql, params in merged(pending):
                    c.execute(sql, params)
        finally:
            self.sending = False

    def send_with_commit(self) -> None:
        """Queue the pending writes in pipeline mode and stay in it: the transaction's
        ``COMMIT`` then travels with them and waits for all their results. Inside an outer
        transaction (a savepoint, as in tests) they are sent now, waiting for them."""
        if not self.pending:
            return
        if len(connection.atomic_blocks) != 1:
            with connection.wrap_database_errors, connection.connection.pipeline():
                self._send()
            return
        wrapper = default_connection()
        held = self.stack.enter_context(_HeldPipeline(wrapper.connection))
        self._send()
        # Django's COMMIT, then out of pipeline mode at once: left open, psycopg would
        # sync it twice more, a round trip each (Django turning autocommit back on,
        # then leaving the pipeline), with nothing left to send or to read.
        # A ``_commit`` already set on the wrapper (instrumentation) runs inside ours
        # and is put back afterwards.
        own = wrapper.__dict__.get("_commit")
        wrapper._commit = partial(_commit_and_leave, wrapper, held, own)
        self.stack.callback(_restore_commit, wrapper, own)


def _commit_and_leave(wrapper: Any, held: _HeldPipeline, own: Any = None) -> None:
    """Django's ``_commit`` (the ``COMMIT`` with the pipeline's sync, errors wrapped), or
    the wrapper's ``own`` one, then out of pipeline mode without a further sync."""
    if own is None:
        type(wrapper)._commit(wrapper)
    else:
        own()
    held.leave_if_idle()


def _restore_commit(wrapper: Any, own: Any) -> None:
    if own is None:
        wrapper.__dict__.pop("_commit", None)
    else:
        wrapper._commit = own


class _HeldPipeline:
    """``raw.pipeline()`` (psycopg, pinned) that can also be left without a sync
    (``leave_if_idle``); its exit then does nothing."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        with raw.lock:
            if raw._pipeline is None:
                raw._pipeline = Pipeline(raw)
            self.pipeline = raw._pipeline

    def __enter__(self) -> _HeldPipeline:
        self.pipeline.__enter__()
        return self

    def leave_if_idle(self) -> None:
        """Leave pipeline mode now when this is its outermost level and every result has
        been read: a sync would send nothing and read nothing."""
        pipeline = self.pipeline
        if pipeline.level == 1 and not pipeline.command_queue and not pipeline.result_queue:
            pipeline._exit(None)  # level 0: libpq leaves pipeline mode
            self._forget()

    def __exit__(self, *exc: Any) -> None:
        if self.pipeline.level == 0:
            return
        try:
            self.pipeline.__exit__(*exc)  # sync, read every result, leave at level 0
        finally:
            self._forget()

    def _forget(self) -> None:
        """What psycopg's ``pipeline()`` does last: the connection forgets a pipeline
        left at level 0."""
        if self.pipeline.level == 0 and self.raw._pipeline is self.pipeline:
            self.raw._pipeline = None


_WRITES = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\"?[\w.]+\"?)", re.IGNORECASE)
_READS = re.compile(r"\b(?:FROM|JOIN|USING)\s+(\"?[\w.]+\"?)", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _merge_shape(sql: str) -> tuple[frozenset[str], frozenset[str], bool, bool] | None:
    """The tables ``sql`` writes and reads, whether it starts with its own ``WITH`` and
    whether it is a plain ``INSERT`` (no ``ON CONFLICT``, reads no table), or None when
    it cannot go into a merged statement (not a plain write, a recursive ``WITH``). An
    ``UPDATE``, a ``DELETE`` and an ``INSERT ... ON CONFLICT`` also read their own table.
    Tables are compared unquoted, in lower case; an unknown word (a set-returning
    function, a CTE's name) counts as a table read, which at worst starts a new
    statement."""
    head = sql.lstrip()[:12].upper()
    if head.startswith("WITH RECURSIVE") or not head.startswith(
        ("INSERT", "UPDATE", "DELETE", "WITH")
    ):
        return None

    def names(pattern: re.Pattern[str]) -> frozenset[str]:
        return frozenset(m.strip('"').lower() for m in pattern.findall(sql))

    written = names(_WRITES) - {"set"}  # ``DO UPDATE SET`` is no table
    reads = names(_READS)
    plain_insert = head.startswith("INSERT") and "ON CONFLICT" not in sql.upper()
    if not plain_insert:
        reads |= written
    return written, reads, head.startswith("WITH"), plain_insert and not reads


_GENERATED_KEYS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})


@cache
def _keyless_tables() -> frozenset[str]:
    """Tables (lower case) whose only unique key is their generated primary key: a row
    inserted into one cannot collide with a row another part of the statement updates
    or deletes, whatever order the server runs the parts in."""
    from django.apps import apps

    keyless = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.unique_together or any(
            getattr(c, "fields", None) or getattr(c, "expressions", None)
            for c in meta.constraints
            if type(c).__name__ == "UniqueConstraint"
        ):
            continue
        if any(f.unique and not f.primary_key for f in meta.concrete_fields):
            continue
        if meta.pk is None or meta.pk.get_internal_type() not in _GENERATED_KEYS:
            continue  # a key the writer chooses (a chain head's stream) can collide
        keyless.add(meta.db_table.lower())
    return frozenset(keyless)


def merged(pending: Sequence[tuple[str, Sequence[Any]]]) -> list[tuple[str, list[Any]]]:
    """Deferred writes joined into as few statements as keep their meaning (PostgreSQL):
    consecutive writes become the data-modifying ``WITH`` parts of one statement
    (``WITH _wb0 AS (first), _wb1 AS (second) last``), each part still run whole. The
    parts of one statement share its snapshot, do not see each other's rows and run in
    an order of the server's choosing (the last one first), so a write joins only while
    it neither reads nor writes a table an earlier part writes: no part depends on
    another, and a table is inserted into at most once per statement (ids taken from its
    sequence keep the order of the writes). One exception: a plain ``INSERT`` joins after
    an ``UPDATE`` or ``DELETE`` of its table when the table has no unique key besides its
    generated id (``_keyless_tables``: a completion closes the task's activity row and opens the
    next ones in one statement). A write that starts with its own ``WITH``
    ends its statement (its parts are listed after ours). Each statement parsed, planned
    and run costs the server and the client more than the same rows written by a part
    of one. A statement that fails rolls the command back as its parts would have one by
    one."""
    out: list[tuple[str, list[Any]]] = []
    parts: list[str] = []
    params: list[Any] = []
    written: set[str] = set()
    inserted: set[str] = set()  # by a part that inserts (ids from the table's sequence)

    def close(last: str | None = None) -> None:
        nonlocal parts, params
        if not parts and last is None:
            return
        if last is None:
            *parts, last = parts
        if not parts:
            out.append((last, params))
        else:
            ctes = ", ".join(f"_wb{i} AS ({part})" for i, part in enumerate(parts))
            if last.lstrip()[:4].upper() == "WITH":
                out.append((f"WITH {ctes}, {last.lstrip()[4:].lstrip()}", params))
            else:
                out.append((f"WITH {ctes} {last}", params))
        parts, params = [], []
        written.clear()
        inserted.clear()

    for sql, values in pending:
        shape = _merge_shape(sql)
        if shape is None:
            close()
            out.append((sql, list(values)))
            continue
        writes, reads, own_with, plain_insert = shape
        # A plain insert may follow an update or delete of its table (the activity row a
        # step closes, then the rows it opens): they touch different rows, the earlier
        # part would not have seen the new rows anyway, and without a unique key besides
        # the generated id no order of the two can make either fail.
        clash = writes & written
        if plain_insert and not writes & inserted and writes <= _keyless_tables():
            clash = set()
        if parts and (reads & written or clash or len(params) + len(values) > PREPARE_MAX_PARAMS):
            close()
        params.extend(values)
        written.update(writes)
        if not own_with and sql.lstrip()[:6].upper() == "INSERT":
            inserted.update(writes)
        if own_with:
            close(sql)
        else:
            parts.append(sql)
    close()
    return out


def write_batch() -> WriteBatch | nullcontext[None]:
    """A ``WriteBatch`` on PostgreSQL; nothing elsewhere (SQLite has no round trips)."""
    return WriteBatch() if is_postgres() else nullcontext()
