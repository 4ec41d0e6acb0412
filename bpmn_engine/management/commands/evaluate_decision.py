"""`manage.py evaluate_decision KEY --var name=value`: evaluate a deployed decision."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bpmn_engine.dmn.json_values import to_json_safe
from bpmn_engine.errors import EngineError
from bpmn_engine.services.decisions import evaluate_decision


def _value(text: str) -> Any:
    """A JSON value (numbers as decimals), or the text itself when it is not JSON."""
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        return text


class Command(BaseCommand):
    help = "Evaluate the latest version of a deployed decision; prints the result as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("key", help="the decision's (or decision service's) id")
        parser.add_argument(
            "--var",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="an input variable; VALUE is JSON (42, true, [1,2]) or plain text",
        )
        parser.add_argument("--decision-version", type=int, help="a specific version")

    def handle(
        self, *args, key: str, var: list[str], decision_version: int | None, **options
    ) -> None:
        variables = {}
        for item in var:
            name, sep, text = item.partition("=")
            if not sep or not name:
                raise CommandError(f"Expected --var NAME=VALUE, but got {item!r}")
            variables[name] = _value(text)
        try:
            result = evaluate_decision(key=key, variables=variables, version=decision_version)
        except EngineError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(to_json_safe(result), ensure_ascii=False))
