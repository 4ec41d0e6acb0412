"""``manage.py anchor_audit``: anchor the audit chains now (the scheduler does it too)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bpmn_engine.services.audit_anchors import anchor_audit_chains


class Command(BaseCommand):
    help = "Record the heads of the audit chains that moved since the last anchor."

    def handle(self, *args: Any, **options: Any) -> None:
        run = anchor_audit_chains()
        self.stdout.write(
            f"anchored {run.streams} streams in {run.events} events;"
            f" anchor head #{run.head_seq} {run.head_hash}"
        )
