"""Process instances: list with filters, detail, cancel/suspend/resume, variables, history."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Exists, FloatField, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.native import serializers as s
from api.native.base import UtcDateTimeFilter, problems, require
from api.native.history import activity_history
from bpmn_engine import services
from bpmn_engine.models import ProcessInstance, VariableRow

NUMERIC_TYPES = ("Integer", "Long", "Double")
VARIABLE_OPS = ("eq", "neq", "gt", "gte", "lt", "lte", "like")


def parse_variable_filter(raw: str) -> tuple[str, str, Any]:
    """``name:op:value`` -> (name, op, value); the value is JSON when it parses, else text."""
    name, sep, rest = raw.partition(":")
    op, sep2, text = rest.partition(":")
    if not (name and sep and sep2) or op not in VARIABLE_OPS:
        raise ValidationError(
            {"variable": [f"Expected name:op:value with op one of {', '.join(VARIABLE_OPS)}"]}
        )
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    return name, op, value


def variable_condition(name: str, op: str, value: Any) -> Q:
    """An ``Exists`` over the instance's root-scope variable rows."""
    rows = VariableRow.objects.filter(instance=OuterRef("pk"), scope_id="root", name=name)
    if op in ("eq", "neq"):
        matched = Exists(rows.filter(value=value))
        return ~Q(matched) if op == "neq" else Q(matched)
    if op == "like":
        pattern = str(value).replace("%", "")
        rows = rows.annotate(text=Cast("value", TextField())).filter(text__icontains=pattern)
        return Q(Exists(rows))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError({"variable": [f"Expected a number to compare with {op}"]})
    rows = rows.filter(type__in=NUMERIC_TYPES)
    rows = rows.annotate(number=Cast("value", FloatField())).filter(**{f"number__{op}": value})
    return Q(Exists(rows))


class InstanceFilter(filters.FilterSet):
    definition_key = filters.CharFilter(field_name="definition__key")
    definition = filters.NumberFilter(field_name="definition_id")
    state = filters.ChoiceFilter(choices=[(v, v) for v in s.INSTANCE_STATES], method="filter_state")
    business_key = filters.CharFilter()
    parent = filters.NumberFilter(field_name="parent_id")
    started_before = UtcDateTimeFilter(field_name="started_at", lookup_expr="lt")
    started_after = UtcDateTimeFilter(field_name="started_at", lookup_expr="gte")
    variable = filters.CharFilter(
        method="filter_variable", label="name:op:value (op: eq neq gt gte lt lte like); repeatable"
    )

    class Meta:
        model = ProcessInstance
        fields = ("definition_key", "definition", "state", "business_key", "parent")

    def filter_state(self, queryset, name, value):
        if value == "suspended":
            return queryset.filter(status="active", suspended=True)
        if value == "active":
            return queryset.filter(status="active", suspended=False)
        return queryset.filter(status=value)

    def filter_variable(self, queryset, name, value):
        for raw in self.request.query_params.getlist("variable"):
            queryset = queryset.filter(variable_condition(*parse_variable_filter(raw)))
        return queryset


class ProcessInstanceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Instances the caller may read: managers and auditors all, others those they started."""

    lookup_value_regex = r"\d+"

    queryset = ProcessInstance.objects.select_related("definition").order_by("-started_at", "-id")
    filterset_class = InstanceFilter

    def get_serializer_class(self):
        if self.action == "list":
            return s.ProcessInstanceSummarySerializer
        return s.ProcessInstanceSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if access.can_read_operations(user):
            return queryset
        return queryset.filter(started_by=user) if user.is_authenticated else queryset.none()

    def _operated(self) -> ProcessInstance:
        instance = self.get_object()
        require(access.can_operate(self.request.user))
        return instance

    @extend_schema(
        request=s.CancelSerializer,
        responses={200: s.ProcessInstanceSerializer, **problems(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        instance = self._operated()
        body = s.CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.cancel_instance(
            instance_id=instance.pk, reason=body.validated_data.get("reason"), user=request.user
        )
        return Response(s.ProcessInstanceSerializer(row).data)

    @extend_schema(
        request=None, responses={200: s.ProcessInstanceSerializer, **problems(403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        instance = self._operated()
        row = services.suspend_instance(instance_id=instance.pk, user=request.user)
        return Response(s.ProcessInstanceSerializer(row).data)

    @extend_schema(
        request=None, responses={200: s.ProcessInstanceSerializer, **problems(403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        instance = self._operated()
        row = services.resume_instance(instance_id=instance.pk, user=request.user)
        return Response(s.ProcessInstanceSerializer(row).data)

    @extend_schema(
        request=s.VariablesSerializer,
        responses={200: s.ProcessInstanceSerializer, **problems(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["patch"])
    def variables(self, request: Request, pk: str | None = None) -> Response:
        """Set (create or overwrite) root-scope variables."""
        instance = self._operated()
        body = s.VariablesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.set_variables(
            instance_id=instance.pk, variables=body.validated_data["variables"], user=request.user
        )
        return Response(s.ProcessInstanceSerializer(row).data)

    @extend_schema(
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: s.paginated(s.HistoryEntrySerializer), **problems(404)},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Activity instances in order; call activities name the instance they called and
        multi-instance bodies are marked apart from their inner instances."""
        instance = self.get_object()
        page = self.paginate_queryset(activity_history(instance))
        return self.get_paginated_response(s.HistoryEntrySerializer(page, many=True).data)
