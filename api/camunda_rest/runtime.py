"""Process instances, user tasks, messages and signals, the Camunda way."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Exists, OuterRef
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.camunda_rest.base import CamundaView, body, bool_param, page, require
from api.camunda_rest.dtos import instance_dto, task_dto
from api.camunda_rest.errors import CamundaError
from api.camunda_rest.repository import _int, base_url, root_variables
from api.camunda_rest.variables import from_typed, from_typed_value, to_typed
from api.native.instances import variable_condition
from bpmn_engine import services
from bpmn_engine.models import ProcessInstance, UserTask, UserTaskCandidate

CAMUNDA_OPS = {
    "eq": "eq",
    "neq": "neq",
    "gt": "gt",
    "gteq": "gte",
    "lt": "lt",
    "lteq": "lte",
    "like": "like",
}


def _variable_filters(raw: str) -> list[tuple[str, str, Any]]:
    """``name_op_value,...`` (Camunda's ``variables`` query parameter)."""
    found = []
    for part in filter(None, raw.split(",")):
        pieces = part.split("_")
        for index in range(1, len(pieces) - 1):
            op = pieces[index]
            if op in CAMUNDA_OPS:
                name, text = "_".join(pieces[:index]), "_".join(pieces[index + 1 :])
                try:
                    value = json.loads(text)
                except ValueError:
                    value = text
                found.append((name, CAMUNDA_OPS[op], value))
                break
        else:
            raise CamundaError(
                400, "InvalidRequestException", f"Invalid variable comparator specified: {part}"
            )
    return found


def _instances(request: Request):
    rows = ProcessInstance.objects.select_related("definition").defer("state")
    if not access.can_read_operations(request.user):
        rows = rows.filter(started_by=request.user)
    params = request.query_params
    if params.get("processDefinitionKey"):
        rows = rows.filter(definition__key=params["processDefinitionKey"])
    if params.get("processDefinitionId"):
        rows = rows.filter(definition_id=_int(params["processDefinitionId"]))
    if params.get("businessKey"):
        rows = rows.filter(business_key=params["businessKey"])
    if params.get("processInstanceIds"):
        rows = rows.filter(pk__in=[_int(p) for p in params["processInstanceIds"].split(",")])
    if params.get("superProcessInstance"):
        rows = rows.filter(parent_id=_int(params["superProcessInstance"]))
    if bool_param(request, "suspended"):
        rows = rows.filter(suspended=True)
    if bool_param(request, "active"):
        rows = rows.filter(suspended=False)
    for name, op, value in _variable_filters(params.get("variables", "")):
        rows = rows.filter(variable_condition(name, op, value))
    # Camunda's runtime query lists running instances only.
    return rows.filter(status="active").order_by("pk")


class InstanceListView(CamundaView):
    def get(self, request: Request) -> Response:
        url = base_url(request)
        return Response([instance_dto(i, url) for i in page(request, _instances(request))])


class InstanceCountView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response({"count": _instances(request).count()})


def _instance(request: Request, pk: str) -> ProcessInstance:
    found = (
        _instances(request).model.objects.select_related("definition").filter(pk=_int(pk)).first()
    )
    visible = found is not None and (
        access.can_read_operations(request.user) or found.started_by_id == request.user.pk
    )
    if not visible:
        raise CamundaError(
            404, "InvalidRequestException", f"Process instance with id {pk} does not exist"
        )
    return found


class InstanceDetailView(CamundaView):
    def get(self, request: Request, pk: str) -> Response:
        return Response(instance_dto(_instance(request, pk), base_url(request)))

    def delete(self, request: Request, pk: str) -> Response:
        instance = _instance(request, pk)
        require(access.can_operate(request.user))
        services.cancel_instance(
            instance_id=instance.pk, reason="deleted over REST", user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstanceVariablesView(CamundaView):
    parser_classes = (JSONParser,)

    def get(self, request: Request, pk: str) -> Response:
        instance = _instance(request, pk)
        return Response(to_typed(root_variables(instance.pk)))

    def post(self, request: Request, pk: str) -> Response:
        """``{"modifications": {typed}, "deletions": [...]}``; deletions are refused."""
        instance = _instance(request, pk)
        require(access.can_operate(request.user))
        data = body(request)
        if data.get("deletions"):
            raise CamundaError(
                400, "InvalidRequestException", "Deleting variables is not supported"
            )
        changes = from_typed(data.get("modifications"))
        if changes:
            services.set_variables(instance_id=instance.pk, variables=changes, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstanceVariableView(CamundaView):
    parser_classes = (JSONParser,)

    def get(self, request: Request, pk: str, name: str) -> Response:
        variables = root_variables(_instance(request, pk).pk)
        if name not in variables:
            raise CamundaError(
                404,
                "InvalidRequestException",
                f"Process instance variable with name {name} does not exist",
            )
        return Response(to_typed({name: variables[name]})[name])

    def put(self, request: Request, pk: str, name: str) -> Response:
        instance = _instance(request, pk)
        require(access.can_operate(request.user))
        value = from_typed_value(name, body(request))
        services.set_variables(instance_id=instance.pk, variables={name: value}, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _tasks(request: Request):
    rows = access.visible_tasks(
        request.user, UserTask.objects.select_related("instance").filter(state="open")
    )
    params = request.query_params
    if params.get("processInstanceId"):
        rows = rows.filter(instance_id=_int(params["processInstanceId"]))
    if params.get("processInstanceBusinessKey"):
        rows = rows.filter(instance__business_key=params["processInstanceBusinessKey"])
    if params.get("processDefinitionKey"):
        rows = rows.filter(instance__definition__key=params["processDefinitionKey"])
    if params.get("taskDefinitionKey"):
        rows = rows.filter(node_id=params["taskDefinitionKey"])
    if params.get("assignee"):
        rows = rows.filter(assignee=params["assignee"])
    if bool_param(request, "unassigned"):
        rows = rows.filter(assignee="")
    if bool_param(request, "assigned"):
        rows = rows.exclude(assignee="")
    groups = [
        g
        for g in (params.get("candidateGroups") or params.get("candidateGroup") or "").split(",")
        if g
    ]
    if groups:
        candidates = UserTaskCandidate.objects.filter(
            user_task=OuterRef("pk"), kind="group", identity__in=groups
        )
        rows = rows.filter(Exists(candidates))
        if not bool_param(request, "includeAssignedTasks"):
            rows = rows.filter(assignee="")
    if params.get("candidateUser"):
        user_rows = UserTaskCandidate.objects.filter(
            user_task=OuterRef("pk"), kind="user", identity=params["candidateUser"]
        )
        rows = rows.filter(Exists(user_rows))
    if params.get("name"):
        rows = rows.filter(name=params["name"])
    return rows.order_by("-priority", "created_at", "pk")


class TaskListView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response([task_dto(t) for t in page(request, _tasks(request))])


class TaskCountView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response({"count": _tasks(request).count()})


def _task(request: Request, pk: str) -> UserTask:
    task = (
        access.visible_tasks(request.user, UserTask.objects.select_related("instance"))
        .filter(pk=_int(pk))
        .first()
    )
    if task is None:
        raise CamundaError(404, "InvalidRequestException", f"No matching task with id {pk}")
    return task


class TaskDetailView(CamundaView):
    def get(self, request: Request, pk: str) -> Response:
        return Response(task_dto(_task(request, pk)))


class TaskClaimView(CamundaView):
    parser_classes = (JSONParser,)

    def post(self, request: Request, pk: str) -> Response:
        task = _task(request, pk)
        user_id = body(request).get("userId") or request.user.get_username()
        if user_id != request.user.get_username():
            require(access.can_assign(request.user))
            services.assign_user_task(task_id=task.pk, user=request.user, assignee=user_id)
        else:
            require(access.can_act_on_task(request.user, task))
            services.claim_user_task(task_id=task.pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskUnclaimView(CamundaView):
    def post(self, request: Request, pk: str) -> Response:
        task = _task(request, pk)
        require(access.can_act_on_task(request.user, task))
        services.unclaim_user_task(task_id=task.pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskAssigneeView(CamundaView):
    parser_classes = (JSONParser,)

    def post(self, request: Request, pk: str) -> Response:
        task = _task(request, pk)
        require(access.can_assign(request.user))
        services.assign_user_task(
            task_id=task.pk, user=request.user, assignee=body(request).get("userId") or ""
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskCompleteView(CamundaView):
    """``complete``: 204, or 200 with the variables when asked (``submit-form`` validates
    against the task's form first: ``api.camunda_rest.forms``)."""

    parser_classes = (JSONParser,)

    def post(self, request: Request, pk: str) -> Response:
        task = _task(request, pk)
        require(access.can_act_on_task(request.user, task))
        data = body(request)
        services.complete_user_task(
            task_id=task.pk,
            user=request.user,
            variables=from_typed(data.get("variables")),
            claim=True,
        )
        if data.get("withVariablesInReturn"):
            return Response(to_typed(root_variables(task.instance_id)))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageView(CamundaView):
    parser_classes = (JSONParser,)

    def post(self, request: Request) -> Response:
        require(access.can_correlate(request.user))
        data = body(request)
        if not data.get("messageName"):
            raise CamundaError(400, "InvalidRequestException", "No message name supplied")
        keys = from_typed(data.get("correlationKeys"))
        instance_id = data.get("processInstanceId")
        variables = from_typed(data.get("processVariables"))
        results = services.correlate_message(
            message_name=data["messageName"],
            business_key=data.get("businessKey"),
            correlation_keys=keys or None,
            instance_id=_int(str(instance_id)) if instance_id else None,
            variables=variables,
            correlate_all=bool(data.get("all")),
            user=request.user,
        )
        if not data.get("resultEnabled"):
            return Response(status=status.HTTP_204_NO_CONTENT)
        url = base_url(request)
        answer = []
        for result in results:
            dto = instance_dto(result.instance, url)
            entry: dict[str, Any] = {
                "resultType": "Execution" if result.kind == "execution" else "ProcessDefinition",
                "processInstance": dto if result.kind == "start" else None,
                "execution": {
                    "id": dto["id"],
                    "processInstanceId": dto["id"],
                    "ended": dto["ended"],
                    "tenantId": None,
                }
                if result.kind == "execution"
                else None,
            }
            if data.get("variablesInResultEnabled"):
                entry["variables"] = to_typed(root_variables(result.instance.pk))
            answer.append(entry)
        return Response(answer)


class SignalView(CamundaView):
    parser_classes = (JSONParser,)

    def post(self, request: Request) -> Response:
        require(access.can_correlate(request.user))
        data = body(request)
        if not data.get("name"):
            raise CamundaError(400, "InvalidRequestException", "No signal name given")
        services.broadcast_signal(
            signal_name=data["name"], variables=from_typed(data.get("variables")), user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
