"""Load the demo users and groups (idempotent), for `make run`."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load demo users, groups and diagrams (safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        call_command("loaddata", str(fixtures / "users.json"), verbosity=0)
        self.stdout.write(self.style.SUCCESS("Loaded demo users and groups."))
