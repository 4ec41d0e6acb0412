"""`manage.py deploy_bpmn FILE...`: validate and deploy diagrams, print key and version."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bpmn_engine.errors import DeploymentInvalidError, EngineError
from bpmn_engine.services import deploy_definition


class Command(BaseCommand):
    help = "Validate and deploy BPMN files; prints each process key and version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--name", help="deployment name (default: the first file's stem)")
        parser.add_argument(
            "--no-duplicate-filtering",
            action="store_true",
            help="deploy a new version even if nothing changed",
        )

    def handle(
        self,
        *args,
        files: list[Path],
        name: str | None = None,
        no_duplicate_filtering: bool = False,
        **options,
    ) -> None:
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise CommandError(f"Expected files to deploy, but not found: {', '.join(missing)}")
        limit = settings.PROCESSION_MAX_RESOURCE_BYTES
        too_big = [f"{f} ({f.stat().st_size} bytes)" for f in files if f.stat().st_size > limit]
        if too_big:  # checked before reading a byte of them
            raise CommandError(
                f"Expected files of at most {limit} bytes, but got {', '.join(too_big)}"
            )
        resources = {f.name: f.read_bytes() for f in files}
        try:
            result = deploy_definition(
                name=name or files[0].stem.split(".")[0],
                resources=resources,
                source="deploy_bpmn",
                duplicate_filtering=not no_duplicate_filtering,
            )
        except EngineError as exc:
            if not isinstance(exc, DeploymentInvalidError):
                raise CommandError(f"deployment refused: {exc}") from exc
            for resource, issues in exc.issues.items():
                for issue in issues:
                    self.stderr.write(
                        f"{resource}:{issue.line or 0}: {issue.element_id or '-'}: {issue.message}"
                    )
            raise CommandError("deployment refused: the diagrams have errors") from exc
        note = " (unchanged, earlier deployment kept)" if result.duplicate else ""
        for definition in result.definitions:
            self.stdout.write(f"{definition.key} version {definition.version}{note}")
