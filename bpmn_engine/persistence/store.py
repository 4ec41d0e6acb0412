"""Rows <-> runtime state: lock an instance, load its state, write it back guarded by
the version column, and keep the token and variable projections in step. Callers (the
services) own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.db.models import Model

from bpmn_engine.bpmn.model import Definitions, Process
from bpmn_engine.errors import ConcurrentModificationError, NotFoundError
from bpmn_engine.models import ProcessDefinition, ProcessInstance, TokenRow, VariableRow
from bpmn_engine.models.audit import AuditChainHead
from bpmn_engine.models.instances import InstanceStatus
from bpmn_engine.persistence import sql, sqlite_writes
from bpmn_engine.persistence.definitions_cache import definitions_for
from bpmn_engine.persistence.state_parts import (
    CACHE,
    SPLIT_AT,
    Cached,
    Split,
    encoded_size,
    entry_count,
    head,
    is_split,
    load_split,
    split_now,
    write_parts,
)
from bpmn_engine.runtime import InstanceState

ENDED_STATUSES = {
    "completed": InstanceStatus.COMPLETED,
    "terminated": InstanceStatus.TERMINATED,
    "cancelled": InstanceStatus.CANCELLED,
}


@dataclass
class LoadedInstance:
    """A locked instance row with its state and model, valid inside one transaction.

    ``tokens``/``scopes`` record what the projections hold, so ``save`` writes only the
    difference (a new instance starts with both empty); ``split`` is set for a state
    stored in parts (``state_parts``); ``new``: the row is not inserted yet (``new_row``)."""

    row: ProcessInstance
    state: InstanceState
    process: Process
    definitions: Definitions
    tokens: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=set)
    split: Split | None = None
    new: bool = False


def lock_instance(instance_id: int) -> ProcessInstance:
    """Lock the instance row (``SELECT ... FOR UPDATE``) together with its parent.

    A parent is always created before its children, so ``ORDER BY id`` locks ancestors
    first and call-activity chains do not deadlock. One statement locks the instance and
    its parent and reads their definitions (read, not locked: ``FOR UPDATE OF i``); a
    grandparent (nested call activities) is locked by a second statement, after the
    child: a rare deadlock there is detected by PostgreSQL and the command retried.
    ``id = (scalar subquery)`` keeps both sides of the ``OR`` on the primary key index.
    """
    row = _lock("%s", instance_id)
    if row is None:
        raise NotFoundError(
            f"Expected to find process instance {instance_id}, but it does not exist"
        )
    return row


def lock_instance_of(model: type[Model], row_id: int) -> ProcessInstance | None:
    """Lock (as ``lock_instance``) the instance that row ``row_id`` of ``model`` (a work
    row with an ``instance_id``) belongs to: the lookup and the lock in one statement.
    None when there is no such row."""
    return _lock(f"(SELECT instance_id FROM {sql.table(model)} WHERE id = %s)", row_id)


def lock_instance_with(
    instance_id: int, then: tuple[str, Sequence[Any]]
) -> tuple[ProcessInstance, list[tuple[Any, ...]]]:
    """``lock_instance``, then the rows of the statement ``then`` (text, parameters), read
    after the lock is held. For a command that locks a row of the instance next (a job's
    report locks the job): on PostgreSQL one round trip instead of two, same lock order."""
    row, rows = _lock_then("%s", instance_id, then)
    if row is None:
        raise NotFoundError(
            f"Expected to find process instance {instance_id}, but it does not exist"
        )
    return row, rows


def lock_instance_of_then(
    model: type[Model], row_id: int, then: tuple[str, Sequence[Any]]
) -> tuple[ProcessInstance | None, list[tuple[Any, ...]]]:
    """``lock_instance_of``, then the rows of the statement ``then``, read after the lock
    is held (as ``lock_instance_with``)."""
    return _lock_then(f"(SELECT instance_id FROM {sql.table(model)} WHERE id = %s)", row_id, then)


def _lock_then(
    target: str, param: int, then: tuple[str, Sequence[Any]]
) -> tuple[ProcessInstance | None, list[tuple[Any, ...]]]:
    """``_lock``, then ``then``'s rows: on PostgreSQL in the lock's round trip (the server
    runs it after the lock statement, with a snapshot of its own taken then), elsewhere
    as a statement of its own."""
    extra: list[list[tuple[Any, ...]]] = []
    row = _lock(target, param, also=then, extra=extra)
    return row, extra[0] if extra else sql.fetchall(*then)


def _lock(
    target: str,
    param: int,
    *,
    also: tuple[str, Sequence[Any]] | None = None,
    extra: list[list[tuple[Any, ...]]] | None = None,
) -> ProcessInstance | None:
    rows = _locked_with_parent(target, param, also=also, extra=extra)
    if not rows:
        return None
    # The instance is the newest of the two rows: a parent is created before its child.
    row, parent = rows[-1], rows[0] if len(rows) == 2 else None
    if parent is not None and parent.parent_id is not None:
        list(
            ProcessInstance.objects.select_for_update(of=("self",))
            .filter(pk__in=_ancestors(parent.parent_id))
            .order_by("pk")
            .values_list("pk")
        )
    return row


@cache
def _lock_sql(vendor: str, target: str) -> str:
    """The lock statement; on SQLite it also reads the audit chain heads of the rows (the
    write lock, taken at ``BEGIN IMMEDIATE``, keeps them current), on PostgreSQL a second
    statement locks and reads them (``_heads_sql``) in the same round trip."""
    instances, definitions = sql.table(ProcessInstance), sql.table(ProcessDefinition)
    heads = f", h.seq, h.hash FROM {instances} i LEFT JOIN {sql.table(AuditChainHead)} h "
    heads += "ON h.stream = 'instance:' || i.id"
    if vendor == "postgresql":
        heads, lock = f" FROM {instances} i", " FOR UPDATE OF i"
    else:
        lock = ""
    return (
        f"SELECT {sql.select_list(ProcessInstance, 'i')}, "
        f"{sql.select_list(ProcessDefinition, 'd')}{heads} "
        f"INNER JOIN {definitions} d ON d.id = i.definition_id "
        f"WHERE i.id = {target} "
        f"OR i.id = (SELECT parent_id FROM {instances} WHERE id = {target}) "
        f"ORDER BY i.id{lock}"
    )


@cache
def _heads_sql(target: str) -> str:
    """The audit chain heads of the instance and its parent, locked (run after the lock
    statement, so its snapshot sees every committed head of the locked instances)."""
    instances = sql.table(ProcessInstance)
    return (
        f"SELECT stream, seq, hash FROM {sql.table(AuditChainHead)} WHERE stream IN "
        f"('instance:' || {target}, "
        f"'instance:' || (SELECT parent_id FROM {instances} WHERE id = {target})) "
        "ORDER BY stream FOR UPDATE"
    )


def _locked_with_parent(
    target: str,
    param: int,
    *,
    also: tuple[str, Sequence[Any]] | None = None,
    extra: list[list[tuple[Any, ...]]] | None = None,
) -> list[ProcessInstance]:
    split = sql.column_count(ProcessInstance)
    end = split + sql.column_count(ProcessDefinition)
    statement = _lock_sql(sql.vendor(), target)
    if sql.is_postgres():
        rows, heads, *more = sql.fetch_pipelined(
            (statement, (param, param)), (_heads_sql(target), (param, param)), *filter(None, [also])
        )
        if extra is not None:
            extra.extend(more)
        known = {stream: (seq, hash_) for stream, seq, hash_ in heads}
    else:
        rows, known = sql.fetchall(statement, (param, param)), {}
    found = []
    for values in rows:
        row = sql.build(ProcessInstance, values[:split])
        row.definition = sql.build(ProcessDefinition, values[split:end], same_rows=True)
        stream = f"instance:{row.pk}"
        if len(values) > end and values[end] is not None:
            known[stream] = (values[end], values[end + 1])
        sql.remember_audit_head(stream, known.get(stream))
        found.append(row)
    return found


def lock_top_level(instance_ids: list[int]) -> list[ProcessInstance]:
    """Lock the instances among ``instance_ids`` that have no parent, in ascending id
    order (the order every command locks in), with their definitions: one statement. On
    PostgreSQL a second one, in the same round trip, locks their audit chain heads (as
    ``lock_instance`` does), and the heads are remembered for the audit writer."""
    if not instance_ids:
        return []
    ids = sorted(set(instance_ids))
    split = sql.column_count(ProcessInstance)
    if sql.is_postgres():
        found, heads = sql.fetch_pipelined(
            (_lock_many_sql("postgresql", 0), (ids,)), (_heads_many_sql(), (ids,))
        )
        known = {stream: (seq, hash_) for stream, seq, hash_ in heads}
    else:
        found, known = sql.fetchall(_lock_many_sql(sql.vendor(), len(ids)), ids), None
    rows = []
    definitions: dict[Any, ProcessDefinition] = {}  # a batch's instances share a few
    for values in found:
        row = sql.build(ProcessInstance, values[:split])
        definition = definitions.get(values[split])
        if definition is None:
            definition = definitions[values[split]] = sql.build(
                ProcessDefinition, values[split:], same_rows=True
            )
        row.definition = definition
        if known is not None:
            stream = f"instance:{row.pk}"
            sql.remember_audit_head(stream, known.get(stream))
        rows.append(row)
    return rows


@cache
def _lock_many_sql(vendor: str, count: int) -> str:
    """PostgreSQL: the ids as one array (``count`` unused), so the text is the same for
    every batch and short enough for the driver to keep its parsed form."""
    instances, definitions = sql.table(ProcessInstance), sql.table(ProcessDefinition)
    if vendor == "postgresql":
        where, lock = "i.id = ANY(%s)", " FOR UPDATE OF i"
    else:
        where, lock = f"i.id IN ({', '.join(['%s'] * count)})", ""
    return (
        f"SELECT {sql.select_list(ProcessInstance, 'i')}, "
        f"{sql.select_list(ProcessDefinition, 'd')} "
        f"FROM {instances} i INNER JOIN {definitions} d ON d.id = i.definition_id "
        f"WHERE {where} AND i.parent_id IS NULL "
        f"ORDER BY i.id{lock}"
    )


@cache
def _heads_many_sql() -> str:
    """The audit chain heads of the instances the lock statement locked (run after it,
    so only heads of instances this transaction holds are locked)."""
    instances = sql.table(ProcessInstance)
    return (
        f"SELECT stream, seq, hash FROM {sql.table(AuditChainHead)} WHERE stream IN "
        f"(SELECT 'instance:' || id FROM {instances} WHERE id = ANY(%s) AND parent_id IS NULL) "
        "ORDER BY stream FOR UPDATE"
    )


def _ancestors(instance_id: int) -> list[int]:
    chain: list[int] = []
    current: int | None = instance_id
    while current is not None:
        chain.append(current)
        current = (
            ProcessInstance.objects.filter(pk=current).values_list("parent_id", flat=True).first()
        )
    return chain


def load(row: ProcessInstance) -> LoadedInstance:
    """The locked row's state: a split one from this process's cache when the row's
    version confirms it, else decoded from the row (and its parts)."""
    definitions = definitions_for(row.definition)
    process = definitions.process(row.definition.key)
    if is_split(row.state):
        cached = CACHE.take(row.pk, row.version)
        if cached is not None:
            return LoadedInstance(
                row, cached.state, process, definitions, cached.tokens, cached.scopes, cached.split
            )
        state, split = load_split(row)
    else:
        state, split = InstanceState.from_dict(row.state), None
    return LoadedInstance(
        row=row,
        state=state,
        process=process,
        definitions=definitions,
        tokens=_token_rows(state),
        scopes=set(state.scopes),
        split=split,
    )


def _token_rows(state: InstanceState) -> dict[str, tuple[str, str, str]]:
    return {t.id: (t.node_id, t.scope_id, str(t.state)) for t in dict.values(state.tokens)}


def encode_whole(state: InstanceState) -> tuple[dict[str, Any], str]:
    """A whole (not split) state as ``save`` stores it: the value and its JSON text."""
    value = state.to_dict()
    return value, sql.json_value(value)


def save(
    loaded: LoadedInstance, *, now: datetime, whole: tuple[dict[str, Any], str] | None = None
) -> int | None:
    """Write the state back (version + 1) and bring the projections up to date. Returns
    the stored bytes of a split state (kept as a running sum), None for a whole one.
    ``whole``: ``encode_whole(loaded.state)`` when the caller has it already (its size
    was checked), so the state is not encoded twice."""
    row, state = loaded.row, loaded.state
    if loaded.split is None and entry_count(state) > SPLIT_AT:
        loaded.split = split_now(row, state)
    split = loaded.split
    if split is not None:
        value = head(state)
        snapshot = sql.json_value(value)
    else:
        value, snapshot = whole if whole is not None else encode_whole(state)
    status = ENDED_STATUSES.get(state.status, InstanceStatus.ACTIVE)
    ended_at = now if status != InstanceStatus.ACTIVE and row.ended_at is None else row.ended_at
    if loaded.new:
        row.version, row.status, row.ended_at = 1, status, ended_at
        _insert_instance(row, snapshot)
        loaded.new = False
    else:
        _update_instance(row, snapshot, status, ended_at)
        row.version += 1
        row.status = status
        row.ended_at = ended_at
    row.state = value
    if split is None:
        _write_tokens(loaded, [*loaded.tokens, *dict.keys(state.tokens)])
        _drop_scope_variables(loaded, loaded.scopes | set(state.scopes))
        return None
    touched_scopes = set(split.touched["scopes"])
    _write_tokens(loaded, sorted(split.touched["tokens"], key=lambda i: (len(i), i)))
    write_parts(row, state, split)
    _drop_scope_variables(loaded, touched_scopes)
    split.head_bytes = encoded_size(value)
    CACHE.put_on_commit(row.pk, Cached(row.version, state, split, loaded.tokens, loaded.scopes))
    return split.total


def _update_instance(
    row: ProcessInstance, snapshot: str, status: str, ended_at: datetime | None
) -> None:
    """The state ``UPDATE`` guarded by the version column. In a command on PostgreSQL the
    guard is evaluated by the server (``guards``: a conflict fails the statement), so the
    write waits and travels with the command's other writes and its ``COMMIT``; elsewhere
    its row count is checked at once (or, in a timer batch, at the batch's flush)."""
    values = (snapshot, row.version + 1, status, sql.when(ended_at), row.pk)
    if sql.batching():
        sql.defer(_guarded_update_sql(), (*values, row.pk, row.version))
        return
    updated = sql.execute(_checked_update_sql(), (*values, row.version), expect=1)
    if updated != 1:
        raise ConcurrentModificationError(
            f"Expected to update process instance {row.pk} at version {row.version}, "
            "but another command changed it"
        )


@cache
def _checked_update_sql() -> str:
    return (
        f"UPDATE {sql.table(ProcessInstance)} SET state = {sql.json_placeholder()}, "
        "version = %s, status = %s, ended_at = %s WHERE id = %s AND version = %s"
    )


@cache
def _guarded_update_sql() -> str:
    return (
        f"UPDATE {sql.table(ProcessInstance)} SET state = %s::jsonb, version = %s, status = %s, "
        "ended_at = %s WHERE id = %s AND procession_version_guard(id, version, %s, %s)"
    )


def latest_definition(key: str) -> tuple[ProcessDefinition | None, int | None]:
    """The latest version of the definition ``key`` and an id for the instance about to
    start, taken by the same statement: on PostgreSQL from the sequence; on SQLite the
    table's ``AUTOINCREMENT`` counter + 1, which stays ours because the transaction holds
    the write lock from its ``BEGIN IMMEDIATE`` until the row is inserted; in an
    optimistic command, from the block its process reserved
    (``sqlite_writes.reserve_instance_id``)."""
    if sql.is_postgres():
        reserve, param = "nextval(%s)", _instance_sequence()
    else:
        reserve = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM sqlite_sequence WHERE name = %s)"
        param = ProcessInstance._meta.db_table
    values = sql.fetchone(
        f"SELECT {sql.select_list(ProcessDefinition, 'd')}, {reserve} "
        f"FROM {sql.table(ProcessDefinition)} d WHERE d.key = %s ORDER BY d.version DESC LIMIT 1",
        (param, key),
    )
    if values is None:
        return None, None
    reserved = values[-1]
    if not sql.is_postgres():
        reserved = sqlite_writes.reserve_instance_id(reserved, param)
    return sql.build(ProcessDefinition, values[:-1], same_rows=True), reserved


def new_row(reserved_id: int | None = None, **fields: Any) -> tuple[ProcessInstance, bool]:
    """A new instance row with its id. With an id (``reserved_id``, from
    ``latest_definition``; on PostgreSQL otherwise from the sequence) ``save`` inserts the
    row whole (returns True: not inserted yet); on SQLite without one the row is inserted
    now with an empty state and ``save`` updates it (returns False)."""
    row = sql.new(ProcessInstance, **fields)
    if reserved_id is not None:
        row.pk = reserved_id
        return row, True
    if sql.is_postgres():
        row.pk = sql.fetchone("SELECT nextval(%s)", (_instance_sequence(),))[0]
        return row, True
    row.save(force_insert=True)
    return row, False


@cache
def _instance_sequence() -> str:
    found = sql.fetchone(
        "SELECT pg_get_serial_sequence(%s, 'id')", (ProcessInstance._meta.db_table,)
    )
    return found[0]


_INSERT_COLUMNS = (
    "id",
    "definition_id",
    "business_key",
    "status",
    "suspended",
    "version",
    "parent_id",
    "parent_wait_id",
    "started_by_id",
    "started_at",
    "ended_at",
)


def _insert_instance(row: ProcessInstance, snapshot: str) -> None:
    values = [
        row.pk,
        row.definition_id,
        row.business_key,
        row.status,
        row.suspended,
        row.version,
        row.parent_id,
        row.parent_wait_id,
        row.started_by_id,
        sql.when(row.started_at),
        sql.when(row.ended_at),
    ]
    sql.insert_rows(
        ProcessInstance,
        (*_INSERT_COLUMNS, "state"),
        [(*values, snapshot)],
        json_columns=frozenset({"state"}),
    )


def _drop_scope_variables(loaded: LoadedInstance, candidates: set[str]) -> None:
    """Delete the variable rows of scopes (among ``candidates``) that ended."""
    scopes = loaded.state.scopes
    ended = {s for s in candidates if s in loaded.scopes and s not in scopes}
    if ended:
        marks = ", ".join(["%s"] * len(ended))
        sql.defer(
            f"DELETE FROM {sql.table(VariableRow)} WHERE instance_id = %s "
            f"AND scope_id IN ({marks})",
            (loaded.row.pk, *sorted(ended)),
        )
    loaded.scopes -= ended
    loaded.scopes.update(s for s in candidates if s in scopes)


def _write_tokens(loaded: LoadedInstance, candidates: list[str]) -> None:
    """Delete, update and insert only the token rows that changed among ``candidates``
    (every token, or the ones a split state noted as touched)."""
    before, tokens, pk = loaded.tokens, loaded.state.tokens, loaded.row.pk
    table = sql.table(TokenRow)
    gone: list[str] = []
    added: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for token_id in candidates:
        if token_id in seen:
            continue
        seen.add(token_id)
        token = dict.get(tokens, token_id)
        old = before.get(token_id)
        if token is None:
            if old is not None:
                gone.append(token_id)
                del before[token_id]
            continue
        new = (token.node_id, token.scope_id, str(token.state))
        if old is None:
            added.append((pk, token_id, *new))
        elif old != new:
            sql.defer(
                f"UPDATE {table} SET node_id = %s, scope_id = %s, state = %s "
                "WHERE instance_id = %s AND token_id = %s",
                (*new, pk, token_id),
            )
        before[token_id] = new
    if gone:
        marks = ", ".join(["%s"] * len(gone))
        sql.defer(
            f"DELETE FROM {table} WHERE instance_id = %s AND token_id IN ({marks})", (pk, *gone)
        )
    sql.insert_rows(TokenRow, ("instance_id", "token_id", "node_id", "scope_id", "state"), added)
