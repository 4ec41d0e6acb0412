"""Large instance states kept in parts, so a command writes what it touched.

A small instance keeps its whole ``to_dict()`` in ``ProcessInstance.state`` (one row,
one write). Once a state holds more than ``SPLIT_AT`` tokens, scopes, waits and
incidents, the row keeps only the head (``InstanceState.head_dict()`` plus ``"split":
true``) and every token, scope, wait and incident becomes an ``InstanceStatePart`` row
(their stored form, which keeps what grows with a scope out of the scope's part, is
``part_forms``). The state then tracks the entries a command touches
(``InstanceState.track``), and the store upserts or deletes exactly those parts and keeps
the stored size as a running sum (no re-encoding of the whole state per command).

Decoding 10k parts is itself proportional to the size, so a process keeps the last few
split states it committed in memory (``StateCache``), keyed by instance and version: the
next command on that instance in this process finds the state whose version the locked
row confirms, and skips the load. A miss (another process wrote it, or the entry was
evicted) loads the parts. The cached object is taken out while a command uses it and put
back only after commit, so a rolled-back command never leaves a half-applied state.
"""

from __future__ import annotations

import gc
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from bpmn_engine.models import InstanceStatePart, ProcessInstance
from bpmn_engine.persistence import sql
from bpmn_engine.persistence.part_forms import (
    ITEMS,
    LETTER,
    LOG,
    LOG_CHUNK,
    assemble,
    byte_size,
    encode,
    loop_items,
    ordered,
    part_dict,
)
from bpmn_engine.runtime import InstanceState
from bpmn_engine.runtime.state import PART_KINDS, Scope

SPLIT_AT = 200
"""Entries (tokens + scopes + waits + incidents) above which a state is stored split."""

_KEY = connection.ops.quote_name("key")
_ON_CONFLICT = (
    f"ON CONFLICT (instance_id, {_KEY}) DO UPDATE SET data = excluded.data, size = excluded.size"
)
_PG_UPSERT = (
    f"INSERT INTO {connection.ops.quote_name(InstanceStatePart._meta.db_table)}"
    f" (instance_id, {_KEY}, data, size)"
    " SELECT %s, e.value->>0, e.value->1, (e.value->>2)::integer"
    " FROM jsonb_array_elements(%s::jsonb) AS e " + _ON_CONFLICT
)

CACHED_STATES = 8
"""Split states one process keeps in memory between commands."""


def encoded_size(value: object) -> int:
    """Bytes of ``value`` as the database stores it (JSON, UTF-8)."""
    return byte_size(encode(value))


def entry_count(state: InstanceState) -> int:
    return len(state.tokens) + len(state.scopes) + len(state.waits) + len(state.incidents)


@dataclass
class Split:
    """What the store knows about a split state's stored parts: bytes per part key, the
    head's bytes, and the ids the state noted as touched since the last write."""

    sizes: dict[str, int]
    touched: dict[str, set[str]]
    head_bytes: int = 0
    parts_bytes: int = field(default=0)
    # per loop body scope, the slots its stored part keeps (their tokens are gone); a scope
    # missing here has its slots looked at whole on its next write
    orphans: dict[str, set[str]] = field(default_factory=dict)
    # per scope, the completion log entries stored in log parts
    logged: dict[str, int] = field(default_factory=dict)
    # per multi-instance body, the input collection its items part holds (the same object)
    items: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.head_bytes + self.parts_bytes


def is_split(snapshot: dict[str, Any]) -> bool:
    return bool(snapshot.get("split"))


def head(state: InstanceState) -> dict[str, Any]:
    return {**state.head_dict(), "split": True}


# ---------------------------------------------------------------------------- loading


def load_split(row: ProcessInstance) -> tuple[InstanceState, Split]:
    """Assemble a split state from its head and every part (proportional to the size).

    The cyclic garbage collector is paused meanwhile: decoding allocates an object per
    value and would set off collections that scan the whole heap again and again (half
    the load's CPU at 10k tokens) for garbage that has no cycles."""
    with _collector_paused():
        rows, sizes = _stored_parts(row.pk)
        found = assemble(row.state, rows)
        state = InstanceState.from_dict(found.snapshot, fresh=True)
    split = Split(sizes=sizes, touched=state.track(), head_bytes=encoded_size(row.state))
    split.parts_bytes = sum(sizes.values())
    split.orphans, split.logged = found.orphans, found.logged
    for scope_id in found.listed:
        split.items[scope_id] = dict.__getitem__(state.scopes, scope_id).data["loop"]["items"]
    for scope_id in found.earlier:  # rewrite once in the current form (``part_forms``)
        split.touched["scopes"].add(scope_id)
        split.touched["tokens"].update(found.snapshot["scopes"][scope_id]["tokens"])
    return state, split


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (unless it is paused already) for a block that
    only builds objects."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stored_parts(instance_id: int) -> tuple[list[tuple[str, Any]], dict[str, int]]:
    """Every part of an instance as ``(key, data)`` and the stored bytes per key: one
    statement, the parts' JSON texts decoded in one call (a decode per part costs more
    than the parsing itself)."""
    fetched = sql.fetchall(
        f"SELECT {_KEY}, CAST(data AS TEXT), size FROM {sql.table(InstanceStatePart)}"
        " WHERE instance_id = %s",
        [instance_id],
    )
    values = json.loads("[" + ",".join([text for _, text, _ in fetched]) + "]")
    return [(key, value) for (key, _, _), value in zip(fetched, values, strict=True)], {
        key: size for key, _, size in fetched
    }


def stored_snapshot(row: ProcessInstance) -> dict[str, Any]:
    """The state of ``row`` as ``InstanceState.to_dict()`` gives it, split or not (a read
    for displays and workers)."""
    if not is_split(row.state):
        return row.state  # type: ignore[no-any-return]
    with _collector_paused():
        snapshot = assemble(row.state, _stored_parts(row.pk)[0]).snapshot
    snapshot.pop("split", None)
    return snapshot


def snapshot_parts(row: ProcessInstance, wait_id: str | None) -> dict[str, Any]:
    """Just enough of the stored state to resolve the variables visible at ``wait_id``
    (that wait and its scope chain), in ``to_dict()`` form; the whole snapshot of a
    state that is not split."""
    if not is_split(row.state):
        return row.state  # type: ignore[no-any-return]
    parts = InstanceStatePart.objects.filter(instance_id=row.pk)
    snapshot: dict[str, Any] = {"scopes": {}, "waits": {}}
    wait = None
    if wait_id is not None:
        wait = parts.filter(key=f"w:{wait_id}").values_list("data", flat=True).first()
    if wait is not None:
        snapshot["waits"][wait_id] = wait
    scope_id = wait["scope_id"] if wait is not None else "root"
    while scope_id is not None and scope_id not in snapshot["scopes"]:
        scope = parts.filter(key=f"s:{scope_id}").values_list("data", flat=True).first()
        if scope is None:
            break
        snapshot["scopes"][scope_id] = scope
        scope_id = scope.get("parent_id")
    return snapshot


# ---------------------------------------------------------------------------- writing


def split_now(row: ProcessInstance, state: InstanceState) -> Split:
    """Start keeping ``state`` in parts: every entry is touched, so the next write stores
    them all."""
    touched = state.track()
    for kind in PART_KINDS:
        touched[kind].update(dict.keys(getattr(state, kind)))
    return Split(sizes={}, touched=touched)


class _Writes:
    """The part upserts and deletes of one write, with the stored sizes kept."""

    def __init__(self, row: ProcessInstance, split: Split) -> None:
        self.row, self.split = row, split
        self.upserts: list[tuple[str, str, int]] = []
        self.gone: list[str] = []

    def put(self, key: str, data: Any) -> None:
        text = encode(data)
        size = byte_size(text)
        sizes = self.split.sizes
        self.split.parts_bytes += size - sizes.get(key, 0)
        sizes[key] = size
        self.upserts.append((key, text, size))

    def drop(self, key: str) -> None:
        if key in self.split.sizes:
            self.split.parts_bytes -= self.split.sizes.pop(key)
            self.gone.append(key)

    def send(self) -> None:
        if self.gone:
            _delete_parts(self.row.pk, self.gone)
        if self.upserts:
            _upsert_parts(self.row.pk, self.upserts)


def _delete_parts(instance_id: int, keys: list[str]) -> None:
    table = sql.table(InstanceStatePart)
    if sql.is_postgres():
        sql.defer(
            f"DELETE FROM {table} WHERE instance_id = %s AND {_KEY} = ANY(%s)", [instance_id, keys]
        )
        return
    for batch in sql.batches(keys, 2):  # the instance id is one more parameter
        marks = ", ".join(["%s"] * len(batch))
        sql.defer(
            f"DELETE FROM {table} WHERE instance_id = %s AND {_KEY} IN ({marks})",
            [instance_id, *batch],
        )


def _upsert_parts(instance_id: int, parts: list[tuple[str, str, int]]) -> None:
    """Insert or replace parts given as ``(key, JSON text, size)``. On PostgreSQL in one
    statement whatever their number, the parts travelling as one JSON array whose texts
    are joined, not quoted one by one into an array literal; on SQLite in multi-row
    ``INSERT``s."""
    if sql.is_postgres():
        array = (
            "[" + ",".join([f"[{json.dumps(k)},{text},{size}]" for k, text, size in parts]) + "]"
        )
        sql.defer(_PG_UPSERT, [instance_id, array])
        return
    sql.insert_rows(
        InstanceStatePart,
        ("instance_id", "key", "data", "size"),
        [(instance_id, key, text, size) for key, text, size in parts],
        suffix=_ON_CONFLICT,
    )


def write_parts(row: ProcessInstance, state: InstanceState, split: Split) -> None:
    """Upsert the touched entries that exist, delete the touched ones that are gone, and
    keep the sizes; clears the touched sets."""
    writes = _Writes(row, split)
    ended = {t for t in split.touched["tokens"] if not dict.__contains__(state.tokens, t)}
    for kind in PART_KINDS:
        touched = split.touched[kind]
        if not touched:
            continue
        letter, current = LETTER[kind], getattr(state, kind)
        for entry_id in ordered(touched):
            entry = dict.get(current, entry_id)
            if kind == "scopes":
                _write_scope(writes, entry_id, entry, ended)
            elif entry is None:
                writes.drop(f"{letter}:{entry_id}")
            else:
                writes.put(f"{letter}:{entry_id}", part_dict(entry, state.scopes))
        touched.clear()
    writes.send()


def _write_scope(writes: _Writes, scope_id: str, scope: Scope | None, ended: set[str]) -> None:
    """A scope's part, its orphaned slots (``Split.orphans``), the log parts past what is
    stored (``Split.logged``) and its input collection unless stored (``Split.items``); a
    gone scope's parts are deleted."""
    split = writes.split
    items = loop_items(scope.data) if scope is not None else None
    if items is None:
        split.items.pop(scope_id, None)
        writes.drop(f"{ITEMS}:{scope_id}")
    elif split.items.get(scope_id) is not items:
        split.items[scope_id] = items
        writes.put(f"{ITEMS}:{scope_id}", items)
    known = split.orphans.pop(scope_id, None)
    stored = split.logged.pop(scope_id, 0)
    log = scope.completed if scope is not None else []
    count = len(log)
    first = 0 if count < stored else stored // LOG_CHUNK  # shrunk (never, today): all
    for n in range(first, -(-count // LOG_CHUNK)) if count != stored else ():
        writes.put(f"{LOG}:{scope_id}:{n}", log[n * LOG_CHUNK : (n + 1) * LOG_CHUNK])
    for n in range(-(-count // LOG_CHUNK), -(-stored // LOG_CHUNK)):
        writes.drop(f"{LOG}:{scope_id}:{n}")
    if scope is None:
        writes.drop(f"s:{scope_id}")
        return
    split.logged[scope_id] = count
    data = part_dict(scope, {}, None if known is None else known | ended)
    kept = data["data"].get("loop", {}).get("slots")
    if kept is not None:
        split.orphans[scope_id] = set(kept)
    writes.put(f"s:{scope_id}", data)


# ---------------------------------------------------------------------------- the cache


@dataclass
class Cached:
    version: int
    state: InstanceState
    split: Split
    tokens: dict[str, tuple[str, str, str]]
    scopes: set[str]


class StateCache:
    """The last ``size`` split states this process committed, by instance id."""

    def __init__(self, size: int = CACHED_STATES) -> None:
        self.size = size
        self.entries: OrderedDict[int, Cached] = OrderedDict()
        self.lock = threading.Lock()

    def take(self, instance_id: int, version: int) -> Cached | None:
        """The cached state at ``version``, removed from the cache (None if absent or of
        another version)."""
        with self.lock:
            cached = self.entries.pop(instance_id, None)
        return cached if cached is not None and cached.version == version else None

    def put_on_commit(self, instance_id: int, cached: Cached) -> None:
        transaction.on_commit(lambda: self._put(instance_id, cached))

    def _put(self, instance_id: int, cached: Cached) -> None:
        with self.lock:
            self.entries[instance_id] = cached
            self.entries.move_to_end(instance_id)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


CACHE = StateCache()
