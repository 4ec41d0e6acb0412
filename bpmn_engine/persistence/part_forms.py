"""The stored form of a split state's parts (see ``state_parts``), and the state's
``to_dict()`` form assembled back from them.

A token, wait or incident part is the entry's ``to_dict()``. A scope's part leaves out what
grows with the scope's work, so that a command on a large scope writes a few hundred bytes:

- its token list: rebuilt from the token parts (each names its scope) in creation order,
  the order the runtime added them in;
- a loop body's slot per instance token (``data["loop"]["slots"]``): kept in that token's
  part as ``loop_slot``; a slot whose token is gone (none normally) stays in the scope part;
- its log of completed activities (append-only): in parts of ``LOG_CHUNK`` entries,
  ``c:<scope id>:<n>``, of which a write rewrites the last and adds new ones;
- a multi-instance body's input collection (``data["loop"]["items"]``, never changed after
  the body starts): one part, ``l:<scope id>``, written when the body is first written.

Parts written in an earlier form (a scope with its ``tokens`` or ``completed`` list) are
still read; ``assemble`` names those scopes so that the next write rewrites them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from bpmn_engine.models.encoding import ExactJSONEncoder
from bpmn_engine.runtime.state import PART_KINDS, Scope, Token

LETTER = {"tokens": "t", "scopes": "s", "waits": "w", "incidents": "i"}
KIND = {letter: kind for kind, letter in LETTER.items()}
LOOP_SLOT = "loop_slot"
"""A token part's loop index (its entry in its body scope's ``data["loop"]["slots"]``)."""
LOG = "c"
"""Key letter of a part of a scope's completion log (``c:<scope id>:<n>``)."""
LOG_CHUNK = 100
"""Completion log entries per part."""
ITEMS = "l"
"""Key letter of the part holding a multi-instance body's input collection."""


def encode(value: object) -> str:
    return json.dumps(value, cls=ExactJSONEncoder, ensure_ascii=False)


def byte_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8."""
    return len(text) if text.isascii() else len(text.encode())


def part_dict(
    entry: Any, scopes: dict[str, Scope], orphans: Iterable[str] | None = None
) -> dict[str, Any]:
    """The stored form of one token, scope, wait or incident (not copied deeply).

    ``orphans`` names the only slots of a scope that can have lost their token (None: look
    at every slot)."""
    if isinstance(entry, Scope):
        return _scope_part(entry, orphans)
    data: dict[str, Any] = entry.to_dict()
    if isinstance(entry, Token):
        scope = dict.get(scopes, entry.scope_id)
        slots = loop_slots(scope.data) if scope is not None else None
        if slots and entry.id in slots:
            data[LOOP_SLOT] = slots[entry.id]
    return data


def _scope_part(scope: Scope, candidates: Iterable[str] | None) -> dict[str, Any]:
    data = scope.to_dict(shallow=True, lists=False)
    loop = data["data"].get("loop")
    if not isinstance(loop, dict):
        return data
    loop = dict(loop)
    slots = loop.get("slots")
    if slots:
        members = scope.tokens
        loop["slots"] = {
            k: slots[k]
            for k in ordered(slots if candidates is None else candidates)
            if k in slots and k not in members
        }
    if isinstance(loop.get("items"), list):
        del loop["items"]
    data["data"] = {**data["data"], "loop": loop}
    return data


def loop_slots(data: dict[str, Any]) -> dict[str, Any] | None:
    """A loop body's instance slots (token id -> loop index), if the scope is one."""
    loop = data.get("loop")
    return loop.get("slots") if isinstance(loop, dict) else None


def loop_items(data: dict[str, Any]) -> list[Any] | None:
    """A multi-instance body's input collection, if the scope is one with a collection."""
    loop = data.get("loop")
    items = loop.get("items") if isinstance(loop, dict) else None
    return items if isinstance(items, list) else None


class Assembled(NamedTuple):
    """``assemble``'s answer: the ``to_dict()`` form; the scopes stored in an earlier form;
    per loop body, the slots its part kept; per scope, the entries its log parts hold;
    the scopes whose input collection came from its own part."""

    snapshot: dict[str, Any]
    earlier: list[str]
    orphans: dict[str, set[str]]
    logged: dict[str, int]
    listed: list[str]


def assemble(head: dict[str, Any], rows: Iterable[tuple[str, Any]]) -> Assembled:
    """The ``to_dict()`` form from a split state's head and its ``(key, data)`` parts
    (``data`` is consumed)."""
    snapshot: dict[str, Any] = {**head, **{kind: {} for kind in PART_KINDS}}
    logs: dict[str, dict[int, list[str]]] = {}
    collections: dict[str, list[Any]] = {}
    for key, data in rows:
        letter, _, entry_id = key.partition(":")
        if letter == LOG:
            scope_id, _, chunk = entry_id.rpartition(":")
            logs.setdefault(scope_id, {})[int(chunk)] = data
        elif letter == ITEMS:
            collections[entry_id] = data
        else:
            snapshot[KIND[letter]][entry_id] = data
    members, slots = _members(snapshot["tokens"])
    found = Assembled(snapshot, [], {}, {}, [])
    for scope_id, scope in snapshot["scopes"].items():
        if "tokens" in scope or "completed" in scope:
            found.earlier.append(scope_id)
            if "tokens" in scope:
                continue
        else:
            chunks = logs.get(scope_id, {})
            scope["completed"] = [entry for n in sorted(chunks) for entry in chunks[n]]
            found.logged[scope_id] = len(scope["completed"])
        scope["tokens"] = members.get(scope_id, [])
        loop = scope["data"].get("loop") if scope.get("data") else None
        if not isinstance(loop, dict):
            continue
        if scope_id in collections and "items" not in loop:
            loop["items"] = collections[scope_id]
            found.listed.append(scope_id)
        stored = loop.get("slots")
        if stored is not None:
            found.orphans[scope_id] = set(stored)
            merged = {**stored, **slots.get(scope_id, {})}
            loop["slots"] = {k: merged[k] for k in ordered(merged)}
    return found


def _members(
    tokens: dict[str, dict[str, Any]],
) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    """Per scope, its tokens in creation order and their loop slots (taken out of the
    token parts)."""
    members: dict[str, list[str]] = {}
    slots: dict[str, dict[str, Any]] = {}
    for token_id in ordered(tokens):
        token = tokens[token_id]
        members.setdefault(token["scope_id"], []).append(token_id)
        if LOOP_SLOT in token:
            slots.setdefault(token["scope_id"], {})[token_id] = token.pop(LOOP_SLOT)
    return members, slots


def ordered(ids: Iterable[str]) -> list[str]:
    """Ids in creation order (``t-9`` before ``t-10``): deterministic writes."""
    return sorted(ids, key=lambda i: (len(i), i))
