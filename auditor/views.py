"""Auditor pages: read-only, scoped to the definitions the user may audit (nothing at all
without a grant). Exports stream and are recorded as audit events before they start."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from auditor.forms import AuditFilterForm
from bpmn_engine.audit.access import audit_scope
from bpmn_engine.audit.export import csv_lines, event_record, jsonl_lines, manifest_of
from bpmn_engine.errors import NotFoundError
from bpmn_engine.selectors.audit import audited_events, audited_instances, instance_trail
from bpmn_engine.services.audit_exports import record_audit_export

PAGE_SIZE = 50
FORMATS = {
    "jsonl": (jsonl_lines, "application/x-ndjson"),
    "csv": (csv_lines, "text/csv; charset=utf-8"),
}


@require_GET
@login_required
def instance_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.audit_filter() if form.is_bound else AuditFilterForm().audit_filter()
    scope = audit_scope(request.user)
    instances = audited_instances(scope=scope, filters=filters)
    page = Paginator(instances, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/instance_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "has_scope": scope != set()},
    )


def _trail(request: HttpRequest, instance_id: int):
    try:
        return instance_trail(instance_id=instance_id, scope=audit_scope(request.user))
    except NotFoundError:
        raise Http404("no such instance") from None


def _rows(events: Any) -> Iterator[dict[str, Any]]:
    for event in events.iterator(chunk_size=2000):
        row = event_record(event)
        row["when"] = event.occurred_at
        row["details"] = json.loads(event.data)
        yield row


@require_GET
@login_required
def instance_timeline(request: HttpRequest, instance_id: int) -> HttpResponse:
    trail = _trail(request, instance_id)
    return render(
        request,
        "audit/instance_timeline.html",
        {"trail": trail, "instance": trail.instance, "events": list(_rows(trail.events))},
    )


@require_GET
@login_required
def instance_report(request: HttpRequest, instance_id: int) -> HttpResponse:
    """A printable report: who did what when, the variables, every hash and the digest
    of the JSON Lines export of the same events (so a printout can be matched to it)."""
    trail = _trail(request, instance_id)
    instance = trail.instance
    up_to = record_audit_export(
        user=request.user,
        export_format="html",
        scope={"instance": instance.pk},
        instance_id=instance.pk,
        definition_id=instance.definition_id,
    )
    events = trail.events.filter(id__lte=up_to)
    manifest = manifest_of(jsonl_lines(events, scope={"instance": instance.pk}))
    return render(
        request,
        "audit/instance_report.html",
        {
            "trail": trail,
            "instance": instance,
            "events": list(_rows(events)),
            "manifest": manifest,
        },
    )


def _stream(lines: Iterator[bytes], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def instance_export(request: HttpRequest, instance_id: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("unknown format")
    trail = _trail(request, instance_id)
    scope = {"instance": instance_id}
    up_to = record_audit_export(
        user=request.user,
        export_format=fmt,
        scope=scope,
        instance_id=instance_id,
        definition_id=trail.instance.definition_id,
    )
    lines, content_type = FORMATS[fmt]
    events = trail.events.filter(id__lte=up_to)
    return _stream(lines(events, scope=scope), content_type, f"instance-{instance_id}.{fmt}")


@require_GET
@login_required
def set_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("unknown format")
    filters = AuditFilterForm(request.GET).audit_filter()
    scope = audit_scope(request.user)
    events = audited_events(scope=scope, filters=filters)
    described = filters.as_scope()
    up_to = record_audit_export(user=request.user, export_format=fmt, scope=described)
    lines, content_type = FORMATS[fmt]
    return _stream(
        lines(events.filter(id__lte=up_to), scope=described), content_type, f"audit.{fmt}"
    )
