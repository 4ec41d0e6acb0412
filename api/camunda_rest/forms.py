"""Task and start forms over the Camunda 7 REST subset: ``/task/{id}/form``,
``/task/{id}/form-variables``, ``/task/{id}/submit-form`` and
``/process-definition/{id}/form-variables`` / ``.../submit-form`` (also by key).

Submitted values go through the same services as the web forms
(``services.task_forms``): validated on the server against the form, coerced to typed
variables, then the task completes or the instance starts. A refused submission answers
400 ``BadUserRequestException`` naming each field's problem."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.camunda_rest.base import CamundaView, body
from api.camunda_rest.dtos import instance_dto
from api.camunda_rest.repository import _definition, base_url, root_variables
from api.camunda_rest.runtime import _task
from api.camunda_rest.variables import from_typed, to_typed
from bpmn_engine.persistence.definitions_cache import process_for
from bpmn_engine.services.task_forms import (
    ResolvedForm,
    start_form,
    submit_start_form,
    submit_task_form,
    task_form,
)


def _form_variables(form: ResolvedForm) -> dict[str, Any]:
    """Camunda's answer: the form fields' values (variable, else default) when the form
    has fields, else every visible variable."""
    if form.spec is None:
        return form.variables
    return {k: v for k, v in form.initial.items() if form.spec.field(k) is not None}


class TaskFormView(CamundaView):
    """``{key, contextPath, camundaFormRef}`` of the task's form."""

    def get(self, request: Request, pk: str) -> Response:
        task = _task(request, pk)
        node = process_for(task.instance.definition).all_nodes.get(task.node_id)
        assignment = getattr(node, "assignment", None)
        form_ref = getattr(assignment, "form_ref", None)
        reference = None
        if form_ref:
            reference = {
                "key": form_ref,
                "binding": assignment.form_ref_binding or "latest",
                "version": assignment.form_ref_version,
            }
        return Response(
            {"key": task.form_key or None, "contextPath": None, "camundaFormRef": reference}
        )


class TaskFormVariablesView(CamundaView):
    def get(self, request: Request, pk: str) -> Response:
        task = _task(request, pk)
        form = task_form(task_id=task.pk, user=request.user)
        return Response(to_typed(_form_variables(form)))


class TaskSubmitFormView(CamundaView):
    """Validate the typed ``variables`` against the task's form, then complete it."""

    parser_classes = (JSONParser,)

    def post(self, request: Request, pk: str) -> Response:
        task = _task(request, pk)
        data = body(request)
        submit_task_form(
            task_id=task.pk,
            user=request.user,
            values=from_typed(data.get("variables")),
            claim=True,
        )
        if data.get("withVariablesInReturn"):
            return Response(to_typed(root_variables(task.instance_id)))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DefinitionFormVariablesView(CamundaView):
    def get(self, request: Request, pk: str | None = None, key: str | None = None) -> Response:
        definition = _definition(pk, key)
        form = start_form(definition_id=definition.pk, user=request.user)
        return Response(to_typed(_form_variables(form)))


class DefinitionSubmitFormView(CamundaView):
    """``{"variables", "businessKey"}``: validate against the start form, then start."""

    parser_classes = (JSONParser,)

    def post(self, request: Request, pk: str | None = None, key: str | None = None) -> Response:
        definition = _definition(pk, key)
        data = body(request)
        instance = submit_start_form(
            definition_id=definition.pk,
            user=request.user,
            values=from_typed(data.get("variables")),
            business_key=data.get("businessKey")
            if isinstance(data.get("businessKey"), str)
            else None,
        )
        return Response(instance_dto(instance, base_url(request)))
