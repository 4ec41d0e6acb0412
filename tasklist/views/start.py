"""Starting processes: the definitions a user may start (``tasklist:start``) and one
definition's start page with its start event's form or a plain Start button
(``tasklist:start-definition``). Who may start is the one permission policy's answer
(``permissions.startable_definitions`` / ``require_start`` inside the services): a
definition the user may not see is a 404, one they see but may not start a 403."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bpmn_engine import permissions
from bpmn_engine.errors import EngineError, ForbiddenError, FormValidationError, NotFoundError
from bpmn_engine.models import ProcessDefinition
from bpmn_engine.services.task_forms import (
    MAX_BUSINESS_KEY,
    ResolvedForm,
    start_form,
    submit_start_form,
)
from tasklist.forms import form_view, submitted_values


class BusinessKeyForm(forms.Form):
    business_key = forms.CharField(
        label="Business key",
        required=False,
        max_length=MAX_BUSINESS_KEY,
        help_text="Optional: an order number or case id to find this process by.",
    )


@login_required
def start_list(request: HttpRequest) -> HttpResponse:
    """The latest version of every definition the user may start."""
    definitions = permissions.startable_definitions(request.user)
    return render(
        request, "tasklist/start.html", {"definitions": definitions, "nav_section": "start"}
    )


def _start_form(request: HttpRequest, definition_id: int) -> ResolvedForm:
    try:
        return start_form(definition_id=definition_id, user=request.user)
    except NotFoundError as missing:
        raise Http404(str(missing)) from missing
    except ForbiddenError as forbidden:
        raise PermissionDenied(str(forbidden)) from forbidden


@login_required
@require_http_methods(["GET", "POST"])
def start_definition(request: HttpRequest, definition_id: int) -> HttpResponse:
    """GET shows the start form; POST validates it on the server and starts."""
    try:
        resolved = _start_form(request, definition_id)
    except EngineError as broken:  # e.g. a form that cannot be rendered
        messages.error(request, str(broken))
        return redirect("tasklist:start")
    definition = ProcessDefinition.objects.get(pk=definition_id)
    action = reverse("tasklist:start-definition", args=[definition_id])
    if request.method != "POST":
        view = form_view(
            resolved, action=action, submit_label="Start", extra_form=BusinessKeyForm()
        )
        return _page(request, definition, view)
    key_form = BusinessKeyForm(request.POST)
    key_form.is_valid()  # shows its own message; the service checks the length again
    try:
        instance = submit_start_form(
            definition_id=definition_id,
            user=request.user,
            values=submitted_values(resolved, request.POST),
            business_key=request.POST.get("business_key", ""),
        )
    except FormValidationError as refused:
        view = form_view(
            resolved,
            action=action,
            submit_label="Start",
            data=request.POST,
            refused=refused,
            extra_form=key_form,
        )
        return _page(request, definition, view, status=400)
    except NotFoundError as missing:
        raise Http404(str(missing)) from missing
    except ForbiddenError as forbidden:
        raise PermissionDenied(str(forbidden)) from forbidden
    except EngineError as refused:
        messages.error(request, str(refused))
        return redirect(action)
    name = definition.name or definition.key
    suffix = f" ({instance.business_key})" if instance.business_key else ""
    messages.success(request, f"Started {name}{suffix}.")
    return redirect("tasklist:inbox")


def _page(
    request: HttpRequest, definition: ProcessDefinition, view: object, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "tasklist/start_definition.html",
        {"definition": definition, "form_view": view, "nav_section": "start"},
        status=status,
    )
