"""Anchoring the audit chains (run by the scheduler and by ``manage.py anchor_audit``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from bpmn_engine.audit.anchors import AnchorRun, anchor
from bpmn_engine.services.transactions import command


@command
def anchor_audit_chains(*, now: datetime | None = None) -> AnchorRun:
    """Record the heads of every chain that moved since the last anchor in the ``anchor``
    chain (``bpmn_engine.audit.anchors``); writes nothing when none moved."""
    return anchor(now=now or timezone.now())
