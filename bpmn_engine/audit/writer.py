"""Write audit events in the caller's transaction, extending each stream's hash chain.

Every command writes its events once, at its end: one ``SELECT ... FOR UPDATE`` of the
chain heads it extends, one multi-row ``INSERT`` of the events, one upsert of the heads.
Per-instance streams are already serialised by the instance row lock; the shared streams,
``system`` (deployments, grants, exports) and ``anchor`` (``bpmn_engine.audit.anchors``),
by their head row lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from django.db import connection
from django.utils import timezone

from bpmn_engine.audit.canonical import (
    GENESIS,
    HASHED_FIELDS,
    canonical_json,
    chained_hash,
    format_time,
)
from bpmn_engine.models.audit import ActorKind, AuditChainHead, AuditEvent
from bpmn_engine.persistence.sql import (
    batches,
    default_connection,
    defer,
    is_postgres,
    known_audit_heads,
    run,
    when,
)

SYSTEM_STREAM = "system"
ANCHOR_STREAM = "anchor"
SHARED_STREAMS = (SYSTEM_STREAM, ANCHOR_STREAM)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: a user (by username), a worker (by worker id) or the system."""

    kind: str
    id: str = ""

    @classmethod
    def of(cls, *, user: Any = None, worker_id: str | None = None, name: str = "") -> Actor:
        if getattr(user, "pk", None) is not None:
            return cls(ActorKind.USER, user.get_username())
        if isinstance(user, str) and user:
            return cls(ActorKind.USER, user)
        if name:
            return cls(ActorKind.USER, name)
        if worker_id:
            return cls(ActorKind.WORKER, worker_id)
        return SYSTEM


SYSTEM = Actor(ActorKind.SYSTEM)


@dataclass(slots=True)
class Entry:
    """An event about to be written."""

    event_type: str
    actor: Actor
    occurred_at: datetime
    instance_id: int | None = None
    definition_id: int | None = None
    element_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    shared_stream: str = ""  # for events about no instance: "" = ``system``

    @property
    def stream(self) -> str:
        if self.instance_id is not None:
            return f"instance:{self.instance_id}"
        return self.shared_stream or SYSTEM_STREAM


def stream_of(instance_id: int | None) -> str:
    return f"instance:{instance_id}" if instance_id is not None else SYSTEM_STREAM


def record_entries(entries: Iterable[Entry], *, fresh_streams: frozenset[str] = frozenset()) -> int:
    """Chain and insert ``entries`` (in order) inside the current transaction; returns
    how many were written.

    ``fresh_streams``: streams of instances created in this transaction, which have no
    head yet (instance ids are never reused), so there is none to read."""
    entries = list(entries)
    if not entries:
        return 0
    if not default_connection().in_atomic_block:
        raise RuntimeError("Expected audit events to be written inside the command's transaction")
    _fill_definitions(entries)
    streams = sorted({e.stream for e in entries})
    known = known_audit_heads()
    if known is None:
        known = {}
    heads = locked_heads([s for s in streams if s not in fresh_streams and s not in known])
    for stream in streams:
        head = known.get(stream)
        if head is not None and stream not in heads:
            heads[stream] = head
    rows = []
    # A command's events share their time and actor: each is formatted once.
    last_at: datetime | None = None
    occurred = ""
    last_actor: Actor | None = None
    actor_kind = actor_id = ""
    for entry in entries:
        stream = entry.stream
        seq, prev = heads.get(stream, (0, GENESIS))
        seq += 1
        at = entry.occurred_at
        if at is not last_at:
            last_at, occurred = at, format_time(at)
        if entry.actor is not last_actor:
            last_actor = entry.actor
            actor_kind, actor_id = _text(last_actor.kind), last_actor.id[:150]
        data = entry.data
        data = "{}" if type(data) is dict and not data else canonical_json(data)
        event_type, element_id = _text(entry.event_type), entry.element_id[:255]
        instance_id, definition_id = entry.instance_id, entry.definition_id
        hash_ = chained_hash(
            prev,
            stream=stream,
            seq=seq,
            occurred_at=occurred,
            event_type=event_type,
            actor_kind=actor_kind,
            actor_id=actor_id,
            instance_id=instance_id,
            definition_id=definition_id,
            element_id=element_id,
            data=data,
        )
        heads[stream] = (seq, hash_)
        rows.append(
            [
                stream,
                seq,
                at,
                event_type,
                actor_kind,
                actor_id,
                instance_id,
                definition_id,
                element_id,
                data,
                prev,
                hash_,
            ]
        )
    moved = {s: heads[s] for s in streams}
    _write(rows, moved)
    known.update(moved)
    return len(rows)


_COLUMNS = [f.column for f in AuditEvent._meta.concrete_fields if f.column != "id"]
# The order ``record_entries`` builds each row in.
assert [*HASHED_FIELDS, "prev_hash", "hash"] == _COLUMNS, _COLUMNS
# The text of a ``str`` or of a text choice (its value), without the enum's Python-level
# ``__str__``.
_text = str.__str__
_OCCURRED_AT = _COLUMNS.index("occurred_at")


def _write(rows: list[list[Any]], heads: dict[str, tuple[int, str]]) -> None:
    """Insert the events and move the heads (one upsert): on PostgreSQL one deferred
    statement (``_write_postgresql``) sent with the command's ``COMMIT``, elsewhere
    multi-row ``INSERT``s."""
    if is_postgres():
        _write_postgresql(rows, heads)
        return
    params: list[Any] = []
    for row in rows:
        row[_OCCURRED_AT] = when(row[_OCCURRED_AT])
        params += row
    insert_head, one = _sqlite_insert()
    head_params = [v for stream, (seq, hash_) in heads.items() for v in (stream, seq, hash_)]
    width, offset = len(_COLUMNS), 0
    for batch in batches(rows, width):  # in batches SQLite can bind (a 10,000-token start)
        end = offset + len(batch) * width
        run(insert_head + ", ".join([one] * len(batch)), params[offset:end])
        offset = end
    run(_move_heads(len(heads)), head_params)


@cache
def _sqlite_insert() -> tuple[str, str]:
    """The events' ``INSERT ... VALUES `` head and one row's placeholders."""
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} "
        f"({', '.join(quote(c) for c in _COLUMNS)}) VALUES ",
        "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")",
    )


@lru_cache(maxsize=64)
def _move_heads(count: int) -> str:
    """The upsert of ``count`` chain heads."""
    return (
        f"INSERT INTO {connection.ops.quote_name(AuditChainHead._meta.db_table)} "
        f"(stream, seq, hash) VALUES {', '.join(['(%s, %s, %s)'] * count)} "
        "ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"
    )


# The PostgreSQL types of the event columns (the others are text).
_PG_TYPES = {
    "seq": "bigint",
    "occurred_at": "timestamptz",
    "instance_id": "bigint",
    "definition_id": "bigint",
}


@cache
def _postgresql_statement() -> str:
    quote = connection.ops.quote_name
    picks = ", ".join(f"(e->>{i})::{_PG_TYPES.get(c, 'text')}" for i, c in enumerate(_COLUMNS))
    return (
        f"WITH events AS (INSERT INTO {quote(AuditEvent._meta.db_table)} "
        f"({', '.join(quote(c) for c in _COLUMNS)}) "
        f"SELECT {picks} FROM jsonb_array_elements(%s::jsonb) e) "
        f"INSERT INTO {quote(AuditChainHead._meta.db_table)} (stream, seq, hash) "
        "SELECT h->>0, (h->>1)::bigint, h->>2 FROM jsonb_array_elements(%s::jsonb) h "
        "ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"
    )


def _write_postgresql(rows: list[list[Any]], heads: dict[str, tuple[int, str]]) -> None:
    """Events and heads in one statement whose text does not depend on how many events
    there are: the rows travel as one JSON array (encoded in C, unpacked by the server),
    so the client neither parses a multi-row ``VALUES`` of thousands of parameters (a
    timer batch writes ~500 events) nor adapts them one by one. ``jsonb``, not ``json``:
    the array is parsed once, where ``json`` parses an element again for each of its
    twelve fields (33 -> 15 µs of server CPU per event)."""
    last_at, text = None, ""
    for row in rows:  # a command's events share their time: formatted once
        at = row[_OCCURRED_AT]
        if at is not last_at:
            last_at, text = at, at.isoformat()
        row[_OCCURRED_AT] = text
    moved = [[stream, seq, hash_] for stream, (seq, hash_) in heads.items()]
    defer(
        _postgresql_statement(),
        [json.dumps(rows, ensure_ascii=False), json.dumps(moved, ensure_ascii=False)],
    )


def _fill_definitions(entries: list[Entry]) -> None:
    """Give instance events without a definition id their instance's (one query)."""
    missing = {e.instance_id for e in entries if e.definition_id is None and e.instance_id}
    if not missing:
        return
    from bpmn_engine.models import ProcessInstance

    known = dict(ProcessInstance.objects.filter(pk__in=missing).values_list("pk", "definition_id"))
    for entry in entries:
        if entry.definition_id is None and entry.instance_id in known:
            entry.definition_id = known[entry.instance_id]


def locked_heads(streams: list[str]) -> dict[str, tuple[int, str]]:
    """Lock the heads of ``streams``. A shared stream must exist before it can be locked,
    or two first writers would both start it: create it if missing (an instance stream
    needs no such care, its instance row lock serialises its writers)."""
    if not streams:
        return {}
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(streams))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT stream, seq, hash FROM {quote(AuditChainHead._meta.db_table)} "
            f"WHERE stream IN ({marks}){lock}",
            streams,
        )
        heads = {stream: (seq, hash_) for stream, seq, hash_ in cursor.fetchall()}
    for shared in SHARED_STREAMS:
        if shared in streams and shared not in heads:
            AuditChainHead.objects.bulk_create(
                [AuditChainHead(stream=shared, seq=0, hash=GENESIS)], ignore_conflicts=True
            )
            head = AuditChainHead.objects.select_for_update().get(stream=shared)
            heads[shared] = (head.seq, head.hash)
    return heads


def record(
    event_type: str,
    *,
    user: Any = None,
    worker_id: str | None = None,
    actor: Actor | None = None,
    instance_id: int | None = None,
    definition_id: int | None = None,
    element_id: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Record one event in the current transaction (for commands outside the unit of
    work: claims, comments, grants, exports). ``user`` or ``worker_id`` names the actor;
    neither means the system."""
    entry = Entry(
        event_type=event_type,
        actor=actor or Actor.of(user=user, worker_id=worker_id),
        occurred_at=now or timezone.now(),
        instance_id=instance_id,
        definition_id=definition_id,
        element_id=element_id,
        data=data or {},
    )
    record_entries([entry])
