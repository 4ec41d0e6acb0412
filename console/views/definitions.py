"""Definitions: every key with its versions and counts, one version's diagram, the XML
difference between versions, the heatmap, and starting an instance."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from bpmn_engine.errors import EngineError
from bpmn_engine.models import ProcessDefinition
from bpmn_engine.services import start_instance
from console.access import console_view
from console.diagram import definition_xml, diagram_model
from console.forms import StartForm
from console.queries import definitions_with_counts, heatmap, process_keys
from console.roles import may_start


def _definition(key: str, version: int | None) -> ProcessDefinition:
    rows = definitions_with_counts().filter(key=key)
    if version is None:
        found = rows.order_by("-version").first()
        if found is None:
            return get_object_or_404(ProcessDefinition, key=key, version=0)
        return found
    return get_object_or_404(rows, version=version)


@console_view
def definition_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/definitions.html", {"keys": process_keys()})


@console_view
def definition_detail(request: HttpRequest, key: str, version: int | None = None) -> HttpResponse:
    definition = _definition(key, version)
    versions = definitions_with_counts().filter(key=key).order_by("-version")
    return render(
        request,
        "console/definition.html",
        {
            "definition": definition,
            "versions": versions,
            "xml": definition_xml(definition),
            "start_form": StartForm(),
            "may_start": may_start(request.user, definition),
        },
    )


@console_view
def definition_diff(request: HttpRequest, key: str, version: int) -> HttpResponse:
    """Unified XML diff of ``version`` against ``?against=`` (default: the one before)."""
    definition = _definition(key, version)
    against_version = request.GET.get("against")
    if against_version and against_version.isdigit():
        other = _definition(key, int(against_version))
    else:
        other = (
            ProcessDefinition.objects.filter(key=key, version__lt=version)
            .order_by("-version")
            .first()
        )
    lines: list[tuple[str, str]] = []
    if other is not None:
        diff = difflib.unified_diff(
            definition_xml(other).splitlines(),
            definition_xml(definition).splitlines(),
            f"{key} v{other.version}",
            f"{key} v{definition.version}",
            lineterm="",
        )
        lines = [(_line_kind(line), line) for line in diff]
    versions = ProcessDefinition.objects.filter(key=key).exclude(pk=definition.pk)
    return render(
        request,
        "console/diff.html",
        {"definition": definition, "other": other, "lines": lines, "versions": versions},
    )


def _line_kind(line: str) -> str:
    if line.startswith(("+++", "---", "@@")):
        return "meta"
    return {"+": "added", "-": "removed"}.get(line[:1], "same")


@console_view
def definition_heatmap(request: HttpRequest, key: str, version: int) -> HttpResponse:
    definition = _definition(key, version)
    heat = heatmap(definition)
    return render(
        request,
        "console/heatmap.html",
        {
            "definition": definition,
            "xml": definition_xml(definition),
            "heat": heat,
            "heat_data": {h.node_id: h.as_data() for h in heat},
            "node_names": dict(diagram_model(definition).nodes),
        },
    )


@require_POST
@console_view
def start(request: HttpRequest, key: str, version: int) -> HttpResponse:
    definition = _definition(key, version)
    if not may_start(request.user, definition):
        return HttpResponse("You may not start this process", status=403)
    form = StartForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, "; ".join(error))
        return redirect("console:definition-version", key=key, version=version)
    try:
        instance = start_instance(
            definition_id=definition.pk,
            variables=form.cleaned_data["variables"],
            business_key=form.cleaned_data["business_key"] or None,
            user=request.user,
        )
    except EngineError as exc:
        messages.error(request, str(exc))
        return redirect("console:definition-version", key=key, version=version)
    messages.success(request, f"Started instance {instance.pk}")
    return redirect("console:instance", instance_id=instance.pk)
