"""Periodic anchors: a chain of its own (stream ``anchor``) whose events record the heads
of every other chain, so that a whole stream removed (events and head row) or a chain cut
back to an earlier event and given a matching head is still caught by ``verify_audit``.

An anchor run locks the ``anchor`` head (anchor runs queue up behind each other), reads
the committed chain heads without locking them (writers never wait for it), and records
``audit.anchored`` events listing ``{stream: [seq, hash]}`` of the streams whose head moved
since the previous run (``AuditAnchoredHead``), ``BATCH`` streams per event. Writers keep
their own per-instance chains; no command ever waits on a global row.
A stream is protected from the first anchor that names it; keep the anchor chain's head
(printed by ``anchor_audit`` and ``verify_audit``) outside the database as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery

from bpmn_engine.audit.writer import ANCHOR_STREAM, SYSTEM, Entry, locked_heads, record_entries
from bpmn_engine.models.audit import AuditAnchoredHead, AuditChainHead, AuditEventType

BATCH = 5000


@dataclass(frozen=True)
class AnchorRun:
    """What one anchor run recorded: streams anchored, events written, the anchor head."""

    streams: int
    events: int
    head_seq: int
    head_hash: str


def _moved_heads() -> Any:
    """Chain heads that differ from what the last anchor recorded (or were never
    anchored), in stream order; the anchor chain itself excluded."""
    anchored = AuditAnchoredHead.objects.filter(stream=OuterRef("stream")).values("seq")[:1]
    return (
        AuditChainHead.objects.exclude(stream=ANCHOR_STREAM)
        .annotate(anchored_seq=Subquery(anchored))
        .filter(Q(anchored_seq__isnull=True) | ~Q(anchored_seq=F("seq")))
        .filter(seq__gt=0)
        .order_by("stream")
        .values_list("stream", "seq", "hash")
    )


def anchor(*, now: datetime, batch: int = BATCH) -> AnchorRun:
    """Record the moved chain heads in the ``anchor`` chain (inside the caller's
    transaction), one event per ``batch`` streams, read and written batch by batch."""
    locked_heads([ANCHOR_STREAM])
    streams = events = 0
    after = ""
    while True:
        heads = list(_moved_heads().filter(stream__gt=after)[:batch])
        if not heads:
            break
        record_entries(
            [
                Entry(
                    event_type=AuditEventType.AUDIT_ANCHORED,
                    actor=SYSTEM,
                    occurred_at=now,
                    data={"heads": {stream: [seq, hash_] for stream, seq, hash_ in heads}},
                    shared_stream=ANCHOR_STREAM,
                )
            ]
        )
        AuditAnchoredHead.objects.bulk_create(
            [AuditAnchoredHead(stream=stream, seq=seq) for stream, seq, _ in heads],
            update_conflicts=True,
            unique_fields=["stream"],
            update_fields=["seq"],
        )
        streams, events, after = streams + len(heads), events + 1, heads[-1][0]
    head = AuditChainHead.objects.filter(stream=ANCHOR_STREAM).values_list("seq", "hash").first()
    seq, hash_ = head or (0, "")
    return AnchorRun(streams=streams, events=events, head_seq=seq, head_hash=hash_)
