"""Load the demo users, groups and diagrams (idempotent), for `make run`."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from bpmn_engine.services import deploy_definition

DEMO_DIAGRAMS = {
    "Discount approval": ["user_task/approval.bpmn"],
    "Contract reviews": ["parallel_gateway/three_reviews.bpmn"],
    "Trip booking saga": ["saga/trip_booking.bpmn"],
    "Orders with credit check": ["call_activity/order.bpmn", "call_activity/credit_check.bpmn"],
}


class Command(BaseCommand):
    help = "Load demo users, groups and diagrams (safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        call_command("loaddata", str(fixtures / "users.json"), verbosity=0)
        self.stdout.write(self.style.SUCCESS("Loaded demo users and groups."))
        for name, files in DEMO_DIAGRAMS.items():
            resources = {Path(f).name: (fixtures / "bpmn" / f).read_bytes() for f in files}
            result = deploy_definition(name=name, resources=resources, source="demo")
            versions = ", ".join(f"{d.key} v{d.version}" for d in result.definitions)
            self.stdout.write(f"Deployed {name}: {versions}")
