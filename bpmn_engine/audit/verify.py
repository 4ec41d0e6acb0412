"""Walk the hash chains and report the first broken link of each stream, then check that
every chain head an anchor recorded is still there (``bpmn_engine.audit.anchors``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from bpmn_engine.audit.canonical import GENESIS, HASHED_FIELDS, body_of, event_hash
from bpmn_engine.audit.writer import ANCHOR_STREAM
from bpmn_engine.models.audit import AuditChainHead, AuditEvent

LOOKUP_BATCH = 200  # (stream, seq) pairs per query: SQLite's expression depth allows it


@dataclass(frozen=True)
class Break:
    """The first link of ``stream`` that does not hold, and why."""

    stream: str
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "chain head"
        return f"{self.stream} #{self.seq} ({where}): {self.problem}"


@dataclass
class Report:
    streams: int = 0
    events: int = 0
    breaks: list[Break] | None = None
    anchored: int = 0  # anchored heads checked
    anchor_head: tuple[int, str] = (0, "")
    _broken: dict[str, Break] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.breaks

    def add(self, problem: Break) -> None:
        """Keep the earliest break of each stream."""
        known = self._broken.get(problem.stream)
        if known is not None and known.seq <= problem.seq:
            return
        self._broken[problem.stream] = problem
        self.breaks = sorted(self._broken.values(), key=lambda b: (b.stream, b.seq))


def verify_chain(stream: str, events: Iterable[Any], head: tuple[int, str] | None) -> Break | None:
    """Check one stream's events (``AuditEvent`` rows or named value rows with the same
    fields) in ``seq`` order against each other and the head row."""
    prev, expected_seq, last_id = GENESIS, 1, None
    for event in events:
        if event.seq != expected_seq:
            return Break(
                stream,
                expected_seq,
                event.id,
                f"expected seq {expected_seq}, found {event.seq} (missing or inserted event)",
            )
        if event.prev_hash != prev:
            return Break(
                stream,
                event.seq,
                event.id,
                "prev_hash does not match the previous event's hash (reordered or removed)",
            )
        if event_hash(prev, body_of(event)) != event.hash:
            return Break(stream, event.seq, event.id, "content does not match its hash (changed)")
        prev, expected_seq, last_id = event.hash, expected_seq + 1, event.id
    if head is not None and head != (expected_seq - 1, prev):
        return Break(
            stream,
            head[0],
            last_id,
            f"chain head says #{head[0]}, but the chain ends at #{expected_seq - 1}"
            " (events removed at the end?)",
        )
    return None


def _streams(instance_id: int | None) -> Iterator[str]:
    if instance_id is not None:
        yield f"instance:{instance_id}"
        return
    seen = set(AuditChainHead.objects.values_list("stream", flat=True))
    seen |= set(AuditEvent.objects.values_list("stream", flat=True).distinct())
    yield from sorted(seen)


def verify(
    *, instance_id: int | None = None, chunk_size: int = 2000, anchor_hash: str = ""
) -> Report:
    """Verify every stream (or one instance's) and collect the first break of each; then
    the anchors (and, given ``anchor_hash``, that the anchor chain still holds it)."""
    report = Report(breaks=[])
    heads = {h.stream: (h.seq, h.hash) for h in AuditChainHead.objects.all()}
    for stream in _streams(instance_id):
        counted = _Counter(_events(stream, chunk_size))
        problem = verify_chain(stream, counted, heads.get(stream))
        report.streams += 1
        report.events += counted.count
        if problem is not None:
            report.add(problem)
    only = f"instance:{instance_id}" if instance_id is not None else None
    if only is not None:  # one instance: its chain, and the anchor chain it depends on
        problem = verify_chain(ANCHOR_STREAM, _anchor_events(), heads.get(ANCHOR_STREAM))
        if problem is not None:
            report.add(problem)
    for anchored in _anchored_heads(only):
        report.anchored += 1
        if anchored.problem:
            report.add(anchored.problem)
    report.anchor_head = heads.get(ANCHOR_STREAM, (0, ""))
    if (
        anchor_hash
        and not AuditEvent.objects.filter(stream=ANCHOR_STREAM, hash=anchor_hash).exists()
    ):
        report.add(
            Break(
                ANCHOR_STREAM,
                0,
                None,
                f"no anchor has the hash {anchor_hash[:16]}... kept outside the database"
                " (the anchor chain was rewritten or cut)",
            )
        )
    return report


def _events(stream: str, chunk_size: int = 2000) -> Iterator[Any]:
    """A stream's rows in chain order as named tuples (no model instances: faster)."""
    return (
        AuditEvent.objects.filter(stream=stream)
        .order_by("seq", "id")
        .values_list("id", *HASHED_FIELDS, "prev_hash", "hash", named=True)
        .iterator(chunk_size=chunk_size)
    )


def _anchor_events() -> Iterator[Any]:
    return _events(ANCHOR_STREAM)


@dataclass(frozen=True)
class _Anchored:
    problem: Break | None


def _anchored_heads(only: str | None) -> Iterator[_Anchored]:
    """Each (stream, seq, hash) an anchor recorded, checked against the event there."""
    pending: list[tuple[int, str, int, str]] = []
    for anchor in _anchor_events():
        if only is not None and f'"{only}"' not in anchor.data:
            continue
        heads = json.loads(anchor.data).get("heads", {})
        for stream, (seq, hash_) in heads.items():
            if only is None or stream == only:
                pending.append((anchor.seq, stream, seq, hash_))
            if len(pending) >= LOOKUP_BATCH:
                yield from _check(pending)
                pending = []
    yield from _check(pending)


def _check(pending: list[tuple[int, str, int, str]]) -> Iterator[_Anchored]:
    if not pending:
        return
    where = Q()
    for _, stream, seq, _ in pending:
        where |= Q(stream=stream, seq=seq)
    found = {
        (stream, seq): (pk, hash_)
        for pk, stream, seq, hash_ in AuditEvent.objects.filter(where).values_list(
            "id", "stream", "seq", "hash"
        )
    }
    for anchor_seq, stream, seq, hash_ in pending:
        event = found.get((stream, seq))
        if event is None:
            yield _Anchored(
                Break(
                    stream,
                    seq,
                    None,
                    f"anchor #{anchor_seq} recorded the chain at #{seq}, but that event is"
                    " gone (whole stream removed or its tail cut off)",
                )
            )
        elif event[1] != hash_:
            yield _Anchored(
                Break(
                    stream,
                    seq,
                    event[0],
                    f"anchor #{anchor_seq} recorded another hash for #{seq} (chain rewritten)",
                )
            )
        else:
            yield _Anchored(None)


class _Counter:
    def __init__(self, events: Iterable[Any]) -> None:
        self.events = events
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        for event in self.events:
            self.count += 1
            yield event
