"""Streamed exports of audit events (JSON Lines and CSV) with a closing manifest.

Each event line carries every hashed field plus ``id``, ``prev_hash`` and ``hash``; the
last line (JSONL) or row (CSV, first cell ``#manifest``) is the manifest: the number of
events, the last ``seq``/``hash`` of each stream, ``digest`` = SHA-256 over the exact
bytes of every line before it, and ``seal`` = SHA-256 of the manifest's own canonical JSON
(without the seal), so no byte of the file can change unnoticed.
``scripts/verify_export.py`` checks all of it offline.
Events are read with ``iterator(chunk_size)``, so memory stays flat however many there are.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from bpmn_engine.audit.canonical import HASHED_FIELDS, canonical_json, format_time

FORMAT_VERSION = 1
COLUMNS = ("id", *HASHED_FIELDS, "prev_hash", "hash")
CHUNK_SIZE = 2000


def event_record(event: Any) -> dict[str, Any]:
    """An event as the exported object (``occurred_at`` in the canonical time form)."""
    record = {name: getattr(event, name) for name in COLUMNS}
    record["occurred_at"] = format_time(event.occurred_at)
    return record


class _Manifest:
    def __init__(self, export_format: str, scope: dict[str, Any]) -> None:
        self.digest = hashlib.sha256()
        self.count = 0
        self.heads: dict[str, dict[str, Any]] = {}
        self.meta = {"format": export_format, "version": FORMAT_VERSION, "scope": scope}

    def add(self, line: bytes, record: dict[str, Any]) -> bytes:
        self.digest.update(line)
        self.count += 1
        head = self.heads.setdefault(record["stream"], {"first_seq": record["seq"]})
        head["last_seq"], head["last_hash"] = record["seq"], record["hash"]
        return line

    def body(self, exported_at: datetime) -> dict[str, Any]:
        body = self.meta | {
            "exported_at": format_time(exported_at),
            "events": self.count,
            "streams": self.heads,
            "digest": self.digest.hexdigest(),
        }
        return body | {"seal": seal_of(body)}


def seal_of(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest's canonical JSON without its ``seal``."""
    fields = {k: v for k, v in manifest.items() if k != "seal"}
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def _records(queryset: QuerySet) -> Iterator[dict[str, Any]]:
    """Exported objects straight from rows (no model instances: 2-3x faster)."""
    for values in queryset.order_by("id").values_list(*COLUMNS).iterator(chunk_size=CHUNK_SIZE):
        record = dict(zip(COLUMNS, values, strict=True))
        record["occurred_at"] = format_time(record["occurred_at"])
        yield record


def jsonl_lines(queryset: QuerySet, *, scope: dict[str, Any]) -> Iterator[bytes]:
    """The export as JSON Lines, one event per line, then ``{"manifest": {...}}``."""
    manifest = _Manifest("jsonl", scope)
    for record in _records(queryset):
        yield manifest.add((canonical_json(record) + "\n").encode("utf-8"), record)
    yield (canonical_json({"manifest": manifest.body(timezone.now())}) + "\n").encode("utf-8")


def csv_lines(queryset: QuerySet, *, scope: dict[str, Any]) -> Iterator[bytes]:
    """The export as CSV (header, one row per event, then ``#manifest,<json>``)."""
    manifest = _Manifest("csv", scope)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(values: list[Any]) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue().encode("utf-8")

    header = row(list(COLUMNS))
    manifest.digest.update(header)
    yield header
    for record in _records(queryset):
        values = ["" if record[c] is None else record[c] for c in COLUMNS]
        yield manifest.add(row(values), record)
    yield row(["#manifest", canonical_json(manifest.body(timezone.now()))])


def manifest_of(lines: Iterator[bytes]) -> dict[str, Any]:
    """Consume an export and return its manifest (for the printable report)."""
    final = b""
    for line in lines:
        final = line
    return json.loads(final)["manifest"]
