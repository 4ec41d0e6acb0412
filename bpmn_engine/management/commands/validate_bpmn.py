"""``manage.py validate_bpmn FILE...``: parse and validate BPMN files, print every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bpmn_engine.bpmn import check_bpmn


class Command(BaseCommand):
    help = "Validate BPMN 2.0 files; exit status 0 only if every file is valid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        invalid = 0
        for path in options["files"]:
            report = check_bpmn(Path(path))
            for issue in report.issues:
                prefix = "" if issue.is_error else "warning: "
                line = (
                    f"{path}:{issue.line or 0}: {issue.element_id or '-'}: {prefix}{issue.message}"
                )
                (self.stderr if issue.is_error else self.stdout).write(line)
            if report.ok:
                self.stdout.write(f"OK {path}")
            else:
                invalid += 1
        if invalid:
            raise CommandError(f"{invalid} of {len(options['files'])} file(s) are not valid")
