"""``manage.py verify_audit [--instance ID] [--anchor-hash HASH]``: check the audit hash
chains and anchors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bpmn_engine.audit.verify import verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chains and anchors; report the first broken link of"
        " each stream."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--instance", type=int, default=None, help="only this instance")
        parser.add_argument(
            "--anchor-hash",
            default="",
            help="an anchor hash kept outside the database: the anchor chain must still hold it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify(instance_id=options["instance"], anchor_hash=options["anchor_hash"])
        seq, hash_ = report.anchor_head
        if report.ok:
            self.stdout.write(
                f"OK {report.streams} streams, {report.events} events,"
                f" {report.anchored} anchored heads; anchor head #{seq} {hash_}"
            )
            return
        for problem in report.breaks or ():
            self.stderr.write(f"BROKEN {problem}")
        raise CommandError(f"{len(report.breaks or ())} streams are broken")
