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
from typing import Any

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


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text (datetimes as UTC ISO 8601, other non-JSON values
    as their string form)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """The chained hash of one event body (the ``HASHED_FIELDS`` of a row)."""
    text = prev_hash + "\n" + canonical_json(body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def body_of(row: Any) -> dict[str, Any]:
    """The hashed fields of an ``AuditEvent`` (or any object with those attributes)."""
    body = {name: getattr(row, name) for name in HASHED_FIELDS}
    body["occurred_at"] = format_time(row.occurred_at)
    return body
