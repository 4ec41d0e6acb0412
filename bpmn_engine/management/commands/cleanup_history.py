"""``manage.py cleanup_history [--dry-run] [--default-ttl-days N]``: history time-to-live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from bpmn_engine.services.history_cleanup import cleanup_plan, remove_instance_history


class Command(BaseCommand):
    help = (
        "Remove the history of ended instances older than their definition's "
        "historyTimeToLive; audit events are never removed. Nothing without a time-to-live."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only list what would go")
        parser.add_argument(
            "--default-ttl-days",
            type=int,
            default=None,
            help="time-to-live for definitions that declare none (default: keep them)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["default_ttl_days"]
        default = timedelta(days=days) if days is not None else None
        removed = 0
        for plan in cleanup_plan(default_ttl=default):
            self.stdout.write(
                f"definition {plan.definition_id}: {len(plan.instance_ids)} instances "
                f"ended more than {plan.ttl.days} days ago"
            )
            if options["dry_run"]:
                continue
            for instance_id in plan.instance_ids:
                removed += remove_instance_history(instance_id=instance_id, ttl=plan.ttl)
        self.stdout.write(
            f"removed {removed} instances' history" if not options["dry_run"] else "dry run"
        )
