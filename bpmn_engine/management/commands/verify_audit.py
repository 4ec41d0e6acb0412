"""``manage.py verify_audit [--instance ID]``: check the audit hash chains."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bpmn_engine.audit.verify import verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; report the first broken link of each stream."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--instance", type=int, default=None, help="only this instance")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify(instance_id=options["instance"])
        if report.ok:
            self.stdout.write(f"OK {report.streams} streams, {report.events} events")
            return
        for problem in report.breaks or ():
            self.stderr.write(f"BROKEN {problem}")
        raise CommandError(f"{len(report.breaks or ())} of {report.streams} streams are broken")
