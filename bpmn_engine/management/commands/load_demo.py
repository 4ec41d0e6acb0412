"""Load the demo users, groups and diagrams (idempotent), for `make run`.

Only for development: it refuses to run with ``DEBUG=false``, and it adds demo users only
under usernames that do not exist yet (never by primary key), so real accounts are never
touched.
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bpmn_engine.services import deploy_definition

DEMO_DIAGRAMS = {
    "Discount approval": ["user_task/approval.bpmn"],
    "Contract reviews": ["parallel_gateway/three_reviews.bpmn"],
    "Trip booking saga": ["saga/trip_booking.bpmn"],
    "Orders with credit check": ["call_activity/order.bpmn", "call_activity/credit_check.bpmn"],
    "Order intake with forms": ["forms/order_intake.bpmn", "forms/payment_check.form"],
}


class Command(BaseCommand):
    help = "Load demo users, groups and diagrams (safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        if not getattr(settings, "PROCESSION_DEMO_DATA", settings.DEBUG):
            raise CommandError(
                "Expected DEBUG=true for demo data, but DEBUG is false: load_demo creates "
                "accounts with a known password and must not run in production"
            )
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        created = load_users(json.loads((fixtures / "users.json").read_text()))
        self.stdout.write(self.style.SUCCESS(f"Demo users and groups ready ({created} new)."))
        for name, files in DEMO_DIAGRAMS.items():
            resources = {Path(f).name: (fixtures / "bpmn" / f).read_bytes() for f in files}
            result = deploy_definition(name=name, resources=resources, source="demo")
            versions = ", ".join(f"{d.key} v{d.version}" for d in result.definitions)
            self.stdout.write(f"Deployed {name}: {versions}")


@transaction.atomic
def load_users(records: list[dict[str, Any]]) -> int:
    """Create the fixture's groups and users that are missing, matched by name; existing
    users (whatever their primary key) are left as they are. Returns how many users were
    created."""
    groups = {
        r["pk"]: Group.objects.get_or_create(name=r["fields"]["name"])[0]
        for r in records
        if r["model"] == "auth.group"
    }
    created = 0
    for record in records:
        if record["model"] != "auth.user":
            continue
        fields = dict(record["fields"])
        if User.objects.filter(username=fields["username"]).exists():
            continue
        group_ids = fields.pop("groups", [])
        fields.pop("user_permissions", None)
        user = User.objects.create(**fields)  # the fixture carries the password hash
        user.groups.set([groups[pk] for pk in group_ids])
        created += 1
    return created
