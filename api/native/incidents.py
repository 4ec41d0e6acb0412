"""Incidents: list and retry."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.native import serializers as s
from api.native.base import problems, require
from bpmn_engine import services
from bpmn_engine.models import Incident


class IncidentFilter(filters.FilterSet):
    process_instance = filters.NumberFilter(field_name="instance_id")
    state = filters.ChoiceFilter(choices=[("open", "open"), ("resolved", "resolved")])
    element_id = filters.CharFilter(field_name="node_id")

    class Meta:
        model = Incident
        fields = ("process_instance", "state", "element_id")


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents (operators, developers and auditors read; operators retry)."""

    lookup_value_regex = r"\d+"
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilter

    queryset = Incident.objects.order_by("-created_at", "-id")

    def get_queryset(self):
        if not getattr(self, "swagger_fake_view", False):
            require(access.can_read_operations(self.request.user))
        return super().get_queryset()

    @extend_schema(
        request=s.RetrySerializer, responses={200: s.IncidentSerializer, **problems(403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        require(access.can_operate(request.user))
        body = s.RetrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.retry_incident(
            incident_id=incident.pk, retries=body.validated_data["retries"], user=request.user
        )
        return Response(s.IncidentSerializer(row).data)
