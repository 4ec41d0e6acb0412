"""The canonical form of an audit event and its chained hash.

Canonical JSON: ``json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` encoded as UTF-8. An event's hash is
``sha256(prev_hash + "\\n" + canonical_json(body))`` in lowercase hex, where ``body`` is the
object of the fields in ``HASHED_FIELDS``; ``occurred_at`` is ISO 8601 UTC with
microseconds (``2026-03-02T09:00:00.000000Z``) and ``data`` the stored canonical JSON text
(a string inside the body). The first event of a stream has ``prev_hash`` = 64 zeros.
``scripts/verify_export.py`` repeats these few lines with the standard library only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from json.encoder import py_encode_basestring
from typing import Any

from bpmn_engine.models.encoding import prebuilt_encode

GENESIS = "0" * 64
HASHED_FIELDS = (
    "stream",
    "seq",
    "occurred_at",
    "event_type",
    "actor_kind",
    "actor_id",
    "instance_id",
    "definition_id",
    "element_id",
    "data",
)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    return str(value)


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
)
try:  # the C string encoder ``json.dumps(..., ensure_ascii=False)`` uses
    from _json import encode_basestring as _quote
except ImportError:  # pragma: no cover - CPython always has it
    _quote = py_encode_basestring
# ``_ENCODER.encode`` with its C encoder built once (see ``prebuilt_encode``).
_encode = prebuilt_encode(_ENCODER) or _ENCODER.encode


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text (datetimes as UTC ISO 8601, other non-JSON values
    as their string form). One encoder serves every call (``json.dumps`` with these
    options builds a new one each time; the text is the same)."""
    return _encode(value)


def format_time(value: datetime) -> str:
    """``value`` in UTC as ISO 8601 with microseconds and ``Z``."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """The chained hash of one event body (the ``HASHED_FIELDS`` of a row)."""
    text = prev_hash + "\n" + canonical_json(body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chained_hash(
    prev_hash: str,
    *,
    stream: str,
    seq: int,
    occurred_at: str,
    event_type: str,
    actor_kind: str,
    actor_id: str,
    instance_id: int | None,
    definition_id: int | None,
    element_id: str,
    data: str,
) -> str:
    """``event_hash(prev_hash, body)`` for a body of these fields (``occurred_at``
    already formatted), with the canonical text written out directly: the keys in sorted
    order, strings quoted as ``canonical_json`` quotes them. The write path's version."""
    text = (
        f'{prev_hash}\n{{"actor_id":{_quote(actor_id)},"actor_kind":{_quote(actor_kind)},'
        f'"data":{_quote(data)},"definition_id":{_int(definition_id)},'
        f'"element_id":{_quote(element_id)},"event_type":{_quote(event_type)},'
        f'"instance_id":{_int(instance_id)},"occurred_at":{_quote(occurred_at)},'
        f'"seq":{int(seq)},"stream":{_quote(stream)}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def body_of(row: Any) -> dict[str, Any]:
    """The hashed fields of an ``AuditEvent`` (or any object with those attributes)."""
    body = {name: getattr(row, name) for name in HASHED_FIELDS}
    body["occurred_at"] = format_time(row.occurred_at)
    return body
