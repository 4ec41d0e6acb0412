"""Deploy page: upload diagrams, list validation errors, deploy a new version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from bpmn_engine.bpmn import ValidationIssue, check_bpmn
from bpmn_engine.bpmn.model import Definitions
from bpmn_engine.errors import EngineError
from bpmn_engine.models import Deployment
from bpmn_engine.services import deploy_definition
from console.access import console_view
from console.deploy_checks import runtime_warnings
from console.forms import DeployForm
from console.queries import definitions_with_counts

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".xml")
DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ResourceReport:
    name: str
    xml: str
    errors: tuple[ValidationIssue, ...]
    warnings: tuple[ValidationIssue, ...]
    definitions: Definitions | None


def _max_bytes() -> int:
    return int(getattr(settings, "PROCESSION_MAX_RESOURCE_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _check(resources: dict[str, bytes]) -> list[ResourceReport]:
    reports = []
    for name, content in resources.items():
        if not name.lower().endswith(BPMN_SUFFIXES):
            continue
        report = check_bpmn(content)
        reports.append(
            ResourceReport(
                name,
                content.decode("utf-8", errors="replace"),
                report.errors,
                report.warnings,
                report.definitions,
            )
        )
    return reports


@console_view
def deploy(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: validate every file; with errors, list them (and mark
    them on the diagram); otherwise deploy and show the deployment."""
    form = DeployForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "reports": [], "failed": None}
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        too_big = [f.name for f in files if f.size > _max_bytes()]
        if too_big:
            form.add_error("files", f"Expected files of at most {_max_bytes()} bytes: {too_big}")
            return render(request, "console/deploy.html", context, status=400)
        resources = {Path(f.name).name: f.read() for f in files}
        reports = _check(resources)
        context["reports"] = reports
        failed = next((r for r in reports if r.errors), None)
        if not reports:
            form.add_error("files", "Expected at least one .bpmn file, but got none")
        elif failed is not None:
            context["failed"] = failed
            context["error_marks"] = {
                "error": sorted({i.element_id for i in failed.errors if i.element_id})
            }
        else:
            name = form.cleaned_data["name"] or Path(next(iter(resources))).stem
            try:
                result = deploy_definition(
                    name=name, resources=resources, source="console", deployed_by=request.user
                )
            except EngineError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("console:deployment", deployment_id=result.deployment.pk)
        return render(request, "console/deploy.html", context, status=400)
    return render(request, "console/deploy.html", context)


@console_view
def deployment(request: HttpRequest, deployment_id: int) -> HttpResponse:
    """One deployment: its resources, the versions it created beside the older ones, and
    the warnings for what will fail at run time."""
    found = get_object_or_404(Deployment, pk=deployment_id)
    resources = {r.name: bytes(r.content) for r in found.resources.all()}
    reports = _check(resources)
    parsed = {r.name: r.definitions for r in reports if r.definitions is not None}
    created = list(found.definitions.order_by("key"))
    keys = {d.key for d in created}
    versions = definitions_with_counts().filter(key__in=keys).order_by("key", "-version")
    warnings = runtime_warnings(parsed, resources)
    return render(
        request,
        "console/deployment.html",
        {
            "has_warnings": bool(warnings) or any(r.warnings for r in reports),
            "deployment": found,
            "created": created,
            "versions": versions,
            "reports": reports,
            "runtime_warnings": warnings,
        },
    )
