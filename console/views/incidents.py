"""Incidents across instances, grouped by element and error; retry one or many."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bpmn_engine.errors import EngineError
from bpmn_engine.services import retry_incident
from console.access import console_view
from console.queries import open_incident_groups

MAX_RETRIES_PER_REQUEST = 500


@console_view
def incident_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/incidents.html", {"groups": open_incident_groups()})


@require_POST
@console_view
def retry(request: HttpRequest) -> HttpResponse:
    """Retry the selected incidents, each in its own command."""
    ids = [int(i) for i in request.POST.getlist("incident") if i.isdigit()]
    ids = ids[:MAX_RETRIES_PER_REQUEST]
    retried = 0
    for incident_id in ids:
        try:
            retry_incident(incident_id=incident_id, user=request.user)
            retried += 1
        except EngineError as exc:
            messages.error(request, f"Incident {incident_id}: {exc}")
    if not ids:
        messages.error(request, "Select at least one incident to retry")
    else:
        messages.success(request, f"Retried {retried} incident(s)")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("console:incidents")
