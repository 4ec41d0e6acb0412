"""External tasks for Camunda's external-task clients: fetchAndLock (long polling) and
complete / failure / bpmnError / extendLock / unlock, each answering exactly 204."""

from __future__ import annotations

from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.camunda_rest.base import CamundaView, body, require
from api.camunda_rest.dtos import locked_task_dto
from api.camunda_rest.errors import CamundaError
from api.camunda_rest.repository import _int
from api.camunda_rest.variables import from_typed
from api.long_poll import fetch_and_lock_waiting
from bpmn_engine.services import external_tasks as et

DEFAULT_LOCK_MS = 300_000


class WorkerView(CamundaView):
    parser_classes = (JSONParser,)

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        require(access.can_work_external_tasks(request.user))


def _worker(data: dict) -> str:
    worker = data.get("workerId")
    if not worker:
        raise CamundaError(400, "InvalidRequestException", "workerId is required")
    return str(worker)


def _number(data: dict, name: str, default: int) -> int:
    raw = data.get(name, default)
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise CamundaError(400, "InvalidRequestException", f"{name} must be a number")
    return int(raw)


class FetchAndLockView(WorkerView):
    def post(self, request: Request) -> Response:
        data = body(request)
        worker = _worker(data)
        topics = []
        for topic in data.get("topics") or []:
            if not isinstance(topic, dict) or not topic.get("topicName"):
                raise CamundaError(400, "InvalidRequestException", "Every topic needs a topicName")
            lock = _number(topic, "lockDuration", DEFAULT_LOCK_MS)
            if lock <= 0:
                raise CamundaError(400, "InvalidRequestException", "lockDuration must be positive")
            names = topic.get("variables")
            topics.append(
                et.TopicRequest(
                    name=str(topic["topicName"]),
                    lock_duration_ms=lock,
                    variables=tuple(names) if isinstance(names, list) else None,
                    business_key=topic.get("businessKey"),
                    process_definition_key=topic.get("processDefinitionKey"),
                )
            )
        tasks = fetch_and_lock_waiting(
            worker_id=worker,
            topics=topics,
            max_tasks=max(0, _number(data, "maxTasks", 1)),
            use_priority=bool(data.get("usePriority")),
            timeout_ms=max(0, _number(data, "asyncResponseTimeout", 0)),
        )
        return Response([locked_task_dto(t) for t in tasks])


class CompleteView(WorkerView):
    def post(self, request: Request, pk: str) -> Response:
        data = body(request)
        variables = {**from_typed(data.get("variables")), **from_typed(data.get("localVariables"))}
        et.complete_external_task(task_id=_int(pk), worker_id=_worker(data), variables=variables)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FailureView(WorkerView):
    def post(self, request: Request, pk: str) -> Response:
        data = body(request)
        et.report_external_failure(
            task_id=_int(pk),
            worker_id=_worker(data),
            error_message=str(data.get("errorMessage") or ""),
            error_details=str(data.get("errorDetails") or ""),
            retries=max(0, _number(data, "retries", 0)),
            retry_timeout_ms=max(0, _number(data, "retryTimeout", 0)),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BpmnErrorView(WorkerView):
    def post(self, request: Request, pk: str) -> Response:
        data = body(request)
        if not data.get("errorCode"):
            raise CamundaError(400, "InvalidRequestException", "errorCode is required")
        et.report_external_bpmn_error(
            task_id=_int(pk),
            worker_id=_worker(data),
            error_code=str(data["errorCode"]),
            error_message=data.get("errorMessage"),
            variables=from_typed(data.get("variables")),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExtendLockView(WorkerView):
    def post(self, request: Request, pk: str) -> Response:
        data = body(request)
        duration = _number(data, "newDuration", -1)
        if duration < 0:
            raise CamundaError(400, "InvalidRequestException", "newDuration must be 0 or more")
        et.extend_external_task_lock(
            task_id=_int(pk), worker_id=_worker(data), new_duration_ms=duration
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnlockView(WorkerView):
    def post(self, request: Request, pk: str) -> Response:
        et.unlock_external_task(task_id=_int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
