#!/usr/bin/env python3
"""Verify a Procession audit export offline, with Python's standard library only.

    python3 verify_export.py EXPORT.jsonl|EXPORT.csv [--heads HEADS.json]

Checks, for every event: its hash (SHA-256 over the previous hash, a newline and the
canonical JSON of its hashed fields), that each stream's events follow each other
(``seq`` + 1, ``prev_hash`` = the previous event's ``hash``; a stream starting at seq 1
starts from 64 zeros), and that the manifest's digest, count and stream heads match the
lines before it. With ``--heads`` (a JSON object ``{"stream": "hash", ...}`` kept from an
earlier export or anchor), each named chain must still pass through that hash.
Exit status 0 when everything holds, 1 with the first problem otherwise.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys

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
INT_FIELDS = ("id", "seq", "instance_id", "definition_id")


class Broken(Exception):
    pass


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash, record):
    body = {name: record[name] for name in HASHED_FIELDS}
    text = prev_hash + "\n" + canonical_json(body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class JsonLines:
    """Events of a JSON Lines export read one line at a time (flat memory); the last
    line, the manifest, is held back and parsed once the events are consumed."""

    def __init__(self, lines):
        self.lines = lines
        self.last = None

    def __iter__(self):
        number = 0
        for line in self.lines:
            if self.last is not None:
                number += 1
                try:
                    yield self.last, json.loads(self.last.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise Broken(f"line {number}: not JSON ({exc})") from None
            self.last = line

    def manifest(self):
        try:
            manifest = json.loads(self.last.decode("utf-8"))["manifest"]
        except (AttributeError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
            raise Broken("the last line is not a manifest") from None
        if (canonical_json({"manifest": manifest}) + "\n").encode("utf-8") != self.last:
            raise Broken("the manifest line is not in canonical form")
        return manifest


def read_csv(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Broken(f"not UTF-8 ({exc})") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) < 2 or rows[-1][:1] != ["#manifest"]:
        raise Broken("the last row is not a manifest")
    header, body, manifest_row = rows[0], rows[1:-1], rows[-1]
    if header != ["id", *HASHED_FIELDS, "prev_hash", "hash"]:
        raise Broken(f"unexpected CSV header: {header}")
    # rows may span lines (quoted newlines in data): re-serialise to compare bytes
    events = []
    for number, values in enumerate(body, start=2):
        if len(values) != len(header):
            raise Broken(f"row {number}: expected {len(header)} cells, got {len(values)}")
        record = dict(zip(header, values, strict=True))
        for name in INT_FIELDS:
            try:
                record[name] = int(record[name]) if record[name] != "" else None
            except ValueError:
                raise Broken(f"row {number}: {name} is not a number") from None
        events.append((_csv_line(values), record))
    try:
        manifest = json.loads(manifest_row[1])
    except (IndexError, json.JSONDecodeError):
        raise Broken("the manifest row is not JSON") from None
    head = _csv_line(header)
    if b"".join([head] + [line for line, _ in events]) + _csv_line(manifest_row) != raw:
        raise Broken("the file is not in the exported CSV form (bytes differ)")
    return head, events, manifest


def _csv_line(values):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue().encode("utf-8")


def verify(handle, heads=None):
    """Check the export read from binary file ``handle``; return a summary line, raise
    Broken at the first problem."""
    first = handle.peek(1)[:1] if hasattr(handle, "peek") else b"{"
    if first == b"{":
        source = JsonLines(handle)
        events, manifest_of = source, source.manifest
    else:
        prefix, rows, manifest = read_csv(handle.read())
        events, manifest_of = [(prefix, None), *rows], lambda: manifest
    digest = hashlib.sha256()
    last = {}
    known = {stream: False for stream in heads or {}}
    count = 0
    for line, record in events:
        digest.update(line)
        if record is None:
            continue  # the CSV header
        count += 1
        where = f"{record.get('stream')} #{record.get('seq')} (event {record.get('id')})"
        missing = [n for n in (*HASHED_FIELDS, "prev_hash", "hash") if n not in record]
        if missing:
            raise Broken(f"{where}: fields missing: {', '.join(missing)}")
        stream = record["stream"]
        if stream in last:
            seq, previous = last[stream]
            if record["seq"] != seq + 1:
                raise Broken(f"{where}: expected seq {seq + 1} (event missing or inserted)")
            if record["prev_hash"] != previous:
                raise Broken(f"{where}: prev_hash does not match the previous event")
        elif record["seq"] == 1 and record["prev_hash"] != GENESIS:
            raise Broken(f"{where}: the first event of a stream must follow {GENESIS[:8]}...")
        if event_hash(record["prev_hash"], record) != record["hash"]:
            raise Broken(f"{where}: content does not match its hash")
        last[stream] = (record["seq"], record["hash"])
        if stream in known and record["hash"] == heads[stream]:
            known[stream] = True
    manifest = manifest_of()
    unsealed = {k: v for k, v in manifest.items() if k != "seal"}
    if hashlib.sha256(canonical_json(unsealed).encode("utf-8")).hexdigest() != manifest.get("seal"):
        raise Broken("manifest seal does not match the manifest")
    if digest.hexdigest() != manifest.get("digest"):
        raise Broken("manifest digest does not match the exported lines")
    if manifest.get("events") != count:
        raise Broken(f"manifest counts {manifest.get('events')} events, found {count}")
    for stream, head in (manifest.get("streams") or {}).items():
        if last.get(stream) != (head.get("last_seq"), head.get("last_hash")):
            raise Broken(f"manifest head of {stream} does not match its last event")
    if set(last) != set(manifest.get("streams") or {}):
        raise Broken("manifest streams do not match the exported streams")
    for stream, found in known.items():
        if not found:
            raise Broken(f"{stream} no longer passes through the known hash {heads[stream]}")
    return f"OK {count} events in {len(last)} streams, digest {manifest['digest']}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export")
    parser.add_argument("--heads", help="JSON object of stream -> hash that must be present")
    args = parser.parse_args(argv)
    heads = None
    if args.heads:
        with open(args.heads, encoding="utf-8") as handle:
            heads = json.load(handle)
    try:
        with open(args.export, "rb") as handle:
            print(verify(handle, heads))
    except Broken as problem:
        print(f"BROKEN {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
