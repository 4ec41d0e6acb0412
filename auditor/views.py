"""Auditor pages: read-only, scoped to the definitions the user may audit (nothing at all
without a grant). Reads go through ``bpmn_engine.selectors.audit``, exports and reports
through ``bpmn_engine.services.audit_exports`` (recorded before they stream), as the API's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from auditor.forms import AuditFilterForm
from auditor.responses import export_response
from bpmn_engine.errors import NotFoundError
from bpmn_engine.permissions import audit_scope
from bpmn_engine.selectors.audit import audited_instances, instance_trail, readable_events
from bpmn_engine.services.audit_exports import export_instance, export_set
from bpmn_engine.services.audit_exports import instance_report as report_of

PAGE_SIZE = 50


@require_GET
@login_required
def instance_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.audit_filter() if form.is_bound else AuditFilterForm().audit_filter()
    instances = audited_instances(user=request.user, filters=filters)
    page = Paginator(instances, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/instance_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "has_scope": audit_scope(request.user) != set(),
        },
    )


@require_GET
@login_required
def instance_timeline(request: HttpRequest, instance_id: int) -> HttpResponse:
    try:
        trail = instance_trail(user=request.user, instance_id=instance_id)
    except NotFoundError:
        raise Http404("no such instance") from None
    return render(
        request,
        "audit/instance_timeline.html",
        {"trail": trail, "instance": trail.instance, "events": list(readable_events(trail.events))},
    )


@require_GET
@login_required
def instance_report(request: HttpRequest, instance_id: int) -> HttpResponse:
    """A printable report: who did what when, the variables, every hash and the digest
    of the JSON Lines export of the same events (so a printout can be matched to it)."""
    try:
        report = report_of(user=request.user, instance_id=instance_id)
    except NotFoundError:
        raise Http404("no such instance") from None
    return render(
        request,
        "audit/instance_report.html",
        {
            "trail": report.trail,
            "instance": report.trail.instance,
            "events": list(readable_events(report.events)),
            "manifest": report.manifest,
        },
    )


@require_GET
@login_required
def instance_export(request: HttpRequest, instance_id: int, fmt: str) -> HttpResponse:
    try:
        export = export_instance(user=request.user, instance_id=instance_id, export_format=fmt)
    except NotFoundError:
        raise Http404("no such instance or format") from None
    return export_response(export)


@require_GET
@login_required
def set_export(request: HttpRequest, fmt: str) -> HttpResponse:
    filters = AuditFilterForm(request.GET).audit_filter()
    try:
        export = export_set(user=request.user, filters=filters, export_format=fmt)
    except NotFoundError:
        raise Http404("unknown format") from None
    return export_response(export)
