"""Walk the hash chains and report the first broken link of each stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bpmn_engine.audit.canonical import GENESIS, body_of, event_hash
from bpmn_engine.models.audit import AuditChainHead, AuditEvent


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

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_chain(
    stream: str, events: Iterable[AuditEvent], head: tuple[int, str] | None
) -> Break | None:
    """Check one stream's events in ``seq`` order against each other and the head row."""
    prev, expected_seq, last_id = GENESIS, 1, None
    for event in events:
        if event.seq != expected_seq:
            return Break(
                stream,
                expected_seq,
                event.pk,
                f"expected seq {expected_seq}, found {event.seq} (missing or inserted event)",
            )
        if event.prev_hash != prev:
            return Break(
                stream,
                event.seq,
                event.pk,
                "prev_hash does not match the previous event's hash (reordered or removed)",
            )
        if event_hash(prev, body_of(event)) != event.hash:
            return Break(stream, event.seq, event.pk, "content does not match its hash (changed)")
        prev, expected_seq, last_id = event.hash, expected_seq + 1, event.pk
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


def verify(*, instance_id: int | None = None, chunk_size: int = 2000) -> Report:
    """Verify every stream (or one instance's) and collect the first break of each."""
    report = Report(breaks=[])
    heads = {h.stream: (h.seq, h.hash) for h in AuditChainHead.objects.all()}
    for stream in _streams(instance_id):
        events = (
            AuditEvent.objects.filter(stream=stream)
            .order_by("seq", "id")
            .iterator(chunk_size=chunk_size)
        )
        counted = _Counter(events)
        problem = verify_chain(stream, counted, heads.get(stream))
        report.streams += 1
        report.events += counted.count
        if problem is not None:
            report.breaks.append(problem)
    return report


class _Counter:
    def __init__(self, events: Iterable[AuditEvent]) -> None:
        self.events = events
        self.count = 0

    def __iter__(self) -> Iterator[AuditEvent]:
        for event in self.events:
            self.count += 1
            yield event
