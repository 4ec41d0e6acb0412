"""`manage.py start_instance KEY --var name=value --business-key BK`: start the latest
version of a process from the shell and print the new instance."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bpmn_engine.errors import EngineError
from bpmn_engine.services import start_instance


def parse_var(raw: str) -> tuple[str, Any]:
    """``name=value``; the value is read as JSON when it parses (``n=3``, ``ok=true``,
    ``items=[1,2]``, ``s="3"``), otherwise it is text."""
    name, sep, text = raw.partition("=")
    if not sep or not name.strip():
        raise CommandError(f"Expected --var name=value, but got '{raw}'")
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    return name.strip(), value


class Command(BaseCommand):
    help = "Start an instance of the latest version of a process key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("key", help="process key (the BPMN process id)")
        parser.add_argument(
            "--var", action="append", default=[], metavar="NAME=VALUE", help="repeatable"
        )
        parser.add_argument("--business-key", default=None)

    def handle(self, *args, key: str, var: list[str], business_key: str | None, **options):
        variables = dict(parse_var(raw) for raw in var)
        try:
            instance = start_instance(
                definition_key=key, variables=variables, business_key=business_key
            )
        except EngineError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"instance {instance.pk} of {instance.definition.key} version "
            f"{instance.definition.version}: {instance.status}"
        )
