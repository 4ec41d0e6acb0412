"""External tasks for workers: fetch-and-lock (long polling) and the outcomes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import access
from api.long_poll import fetch_and_lock_waiting
from api.native import serializers as s
from api.native.base import problems, require
from bpmn_engine.services import external_tasks as et


class WorkerView(APIView):
    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        require(access.can_work_external_tasks(request.user))


class FetchAndLockView(WorkerView):
    """Lock tasks of the named topics; with ``async_response_timeout_ms`` the answer waits
    until a task appears (delivered at once) or the timeout passes (empty list)."""

    @extend_schema(
        request=s.FetchAndLockSerializer,
        responses={200: s.LockedTaskSerializer(many=True), **problems(400, 403)},
    )
    def post(self, request: Request) -> Response:
        body = s.FetchAndLockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        topics = [
            et.TopicRequest(
                name=t["name"],
                lock_duration_ms=t["lock_duration_ms"],
                variables=tuple(t["variables"]) if t.get("variables") is not None else None,
                business_key=t.get("business_key"),
                process_definition_key=t.get("process_definition_key"),
            )
            for t in data["topics"]
        ]
        tasks = fetch_and_lock_waiting(
            worker_id=data["worker_id"],
            topics=topics,
            max_tasks=data["max_tasks"],
            use_priority=data["use_priority"],
            timeout_ms=data["async_response_timeout_ms"],
        )
        return Response(s.LockedTaskSerializer(tasks, many=True).data)


class CompleteView(WorkerView):
    @extend_schema(
        request=s.ExternalCompleteSerializer, responses={204: None, **problems(400, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        body = s.ExternalCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        et.complete_external_task(
            task_id=pk,
            worker_id=body.validated_data["worker_id"],
            variables=body.validated_data["variables"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class FailureView(WorkerView):
    @extend_schema(
        request=s.ExternalFailureSerializer, responses={204: None, **problems(400, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        body = s.ExternalFailureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        et.report_external_failure(task_id=pk, **body.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BpmnErrorView(WorkerView):
    @extend_schema(
        request=s.ExternalBpmnErrorSerializer,
        responses={204: None, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = s.ExternalBpmnErrorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        et.report_external_bpmn_error(
            task_id=pk,
            worker_id=data["worker_id"],
            error_code=data["error_code"],
            error_message=data.get("error_message"),
            variables=data["variables"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExtendLockView(WorkerView):
    @extend_schema(
        request=s.ExtendLockSerializer,
        responses={200: s.ExtendLockResultSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = s.ExtendLockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        until = et.extend_external_task_lock(task_id=pk, **body.validated_data)
        return Response({"lock_expiration_time": until})


class UnlockView(WorkerView):
    @extend_schema(request=None, responses={204: None, **problems(403, 404)})
    def post(self, request: Request, pk: int) -> Response:
        et.unlock_external_task(task_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
