"""Instances: search, the instance page on its diagram, and the operator actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from bpmn_engine.errors import EngineError
from bpmn_engine.models import ProcessInstance
from bpmn_engine.selectors import activity_history
from bpmn_engine.services import (
    cancel_instance,
    change_variables,
    move_token,
    resume_instance,
    suspend_instance,
)
from console.access import console_view
from console.diagram import diagram_model
from console.forms import InstanceSearchForm, MoveForm, ReasonForm, VariableForm
from console.queries import InstanceFilter, instance_marks, search_instances

PAGE_SIZE = 50


@console_view
def instance_list(request: HttpRequest) -> HttpResponse:
    form = InstanceSearchForm(request.GET or None)
    search = InstanceFilter()
    if form.is_valid():
        data = form.cleaned_data
        search = InstanceFilter(
            definition_key=data["definition"].strip(),
            version=data["version"],
            state=data["state"],
            business_key=data["business_key"].strip(),
            variable_name=data["variable_name"].strip(),
            variable_value=data["variable_value"].strip(),
            started_from=data["started_from"],
            started_to=data["started_to"],
        )
    page = Paginator(search_instances(search), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/instances.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@console_view
def instance_detail(request: HttpRequest, instance_id: int) -> HttpResponse:
    instance = get_object_or_404(
        ProcessInstance.objects.select_related("definition", "parent__definition", "started_by"),
        pk=instance_id,
    )
    model = diagram_model(instance.definition)
    marks = instance_marks(instance, model.flows)
    return render(
        request,
        "console/instance.html",
        {
            "instance": instance,
            "xml": model.xml,
            "marks": marks.as_data(),
            "active_nodes": marks.active,
            "move_targets": model.nodes,
            "tokens": instance.tokens.order_by("token_id"),
            "variables": instance.variable_rows.order_by("scope_id", "name"),
            "history": activity_history(instance_id=instance.pk),
            "incidents": instance.incident_rows.order_by("-created_at"),
            "children": instance.children.select_related("definition").order_by("pk"),
            "user_tasks": instance.user_tasks.filter(state="open"),
            "jobs": instance.jobs.exclude(state__in=["completed", "cancelled"]),
            "variable_form": VariableForm(),
        },
    )


def _act(
    request: HttpRequest, instance_id: int, action: Callable[[], Any], done: str
) -> HttpResponse:
    try:
        action()
    except EngineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("console:instance", instance_id=instance_id)


@require_POST
@console_view
def cancel(request: HttpRequest, instance_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        instance_id,
        lambda: cancel_instance(instance_id=instance_id, reason=reason or None, user=request.user),
        "Instance cancelled",
    )


@require_POST
@console_view
def suspend(request: HttpRequest, instance_id: int) -> HttpResponse:
    return _act(
        request,
        instance_id,
        lambda: suspend_instance(instance_id=instance_id, user=request.user),
        "Instance suspended",
    )


@require_POST
@console_view
def resume(request: HttpRequest, instance_id: int) -> HttpResponse:
    return _act(
        request,
        instance_id,
        lambda: resume_instance(instance_id=instance_id, user=request.user),
        "Instance resumed",
    )


@require_POST
@console_view
def move(request: HttpRequest, instance_id: int) -> HttpResponse:
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose where the token is and where it should go")
        return redirect("console:instance", instance_id=instance_id)
    data = form.cleaned_data
    return _act(
        request,
        instance_id,
        lambda: move_token(
            instance_id=instance_id,
            from_node_id=data["from_node"],
            to_node_id=data["to_node"],
            reason=data["reason"],
            user=request.user,
        ),
        f"Moved the token from {data['from_node']} to {data['to_node']}",
    )


@require_POST
@console_view
def set_variable(request: HttpRequest, instance_id: int) -> HttpResponse:
    form = VariableForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {'; '.join(errors)}")
        return redirect("console:instance", instance_id=instance_id)
    data = form.cleaned_data
    return _act(
        request,
        instance_id,
        lambda: change_variables(
            instance_id=instance_id,
            variables={data["name"]: data["value"]},
            reason=data["reason"],
            user=request.user,
        ),
        f"Variable {data['name']} changed",
    )
