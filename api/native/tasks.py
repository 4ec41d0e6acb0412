"""User tasks: the caller's visible tasks (filtered in SQL), detail, claim, complete."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.native import serializers as s
from api.native.base import UtcDateTimeFilter, problems, require
from bpmn_engine import services
from bpmn_engine.models import UserTask, UserTaskCandidate
from bpmn_engine.selectors import task_variables


class TaskFilter(filters.FilterSet):
    process_instance = filters.NumberFilter(field_name="instance_id")
    assignee = filters.CharFilter()
    candidate_group = filters.CharFilter(method="filter_candidate_group")
    element_id = filters.CharFilter(field_name="node_id")
    state = filters.ChoiceFilter(
        choices=[("open", "open"), ("completed", "completed"), ("cancelled", "cancelled")]
    )
    due_before = UtcDateTimeFilter(field_name="due_at", lookup_expr="lt")
    due_after = UtcDateTimeFilter(field_name="due_at", lookup_expr="gte")

    class Meta:
        model = UserTask
        fields = ("process_instance", "assignee", "element_id", "state")

    def filter_candidate_group(self, queryset, name, value):
        groups = UserTaskCandidate.objects.filter(
            user_task=OuterRef("pk"), kind="group", identity=value
        )
        return queryset.filter(Exists(groups))


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks the caller may see; everything else answers 404."""

    lookup_value_regex = r"\d+"

    filterset_class = TaskFilter

    def get_queryset(self):
        tasks = UserTask.objects.prefetch_related("candidates").order_by(
            "-priority", "created_at", "id"
        )
        if self.action == "retrieve":
            tasks = tasks.select_related("instance")
        return access.visible_tasks(self.request.user, tasks)

    def get_serializer_class(self):
        return s.TaskDetailSerializer if self.action == "retrieve" else s.TaskSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        data = s.TaskDetailSerializer(task, context={"variables": task_variables(task)}).data
        return Response(data)

    def _task(self) -> UserTask:
        task = self.get_object()
        require(access.can_act_on_task(self.request.user, task))
        return task

    def _answer(self, task_id: int) -> Response:
        task = UserTask.objects.prefetch_related("candidates").get(pk=task_id)
        return Response(s.TaskSerializer(task).data)

    @extend_schema(request=None, responses={200: s.TaskSerializer, **problems(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        task = self._task()
        services.claim_user_task(task_id=task.pk, user=request.user)
        return self._answer(task.pk)

    @extend_schema(request=None, responses={200: s.TaskSerializer, **problems(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def unclaim(self, request: Request, pk: str | None = None) -> Response:
        task = self._task()
        services.unclaim_user_task(task_id=task.pk, user=request.user)
        return self._answer(task.pk)

    @extend_schema(
        request=s.CompleteTaskSerializer,
        responses={200: s.TaskSerializer, **problems(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Complete with ``variables``; an unclaimed task is claimed in the same transaction."""
        task = self._task()
        body = s.CompleteTaskSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.complete_user_task(
            task_id=task.pk,
            user=request.user,
            variables=body.validated_data["variables"],
            claim=True,
        )
        return self._answer(task.pk)

    @extend_schema(
        request=s.AssignSerializer,
        responses={200: s.TaskSerializer, **problems(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Admins and process developers set (or clear) the assignee."""
        task = self.get_object()
        require(access.can_assign(request.user))
        body = s.AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.assign_user_task(
            task_id=task.pk, user=request.user, assignee=body.validated_data["assignee"] or ""
        )
        return self._answer(task.pk)
