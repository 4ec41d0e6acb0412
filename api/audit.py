"""Read-only audit endpoints under /api/v1/audit/: instances in the caller's audit scope,
one instance's events, and streamed JSON Lines / CSV exports (recorded as audit events).
Reads and exports go through the same selectors and services as the auditor pages."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.views import APIView

from api.native.base import problems
from auditor.forms import AuditFilterForm
from auditor.responses import export_response
from bpmn_engine.errors import NotFoundError
from bpmn_engine.selectors.audit import audited_instances, instance_trail, readable_event
from bpmn_engine.services.audit_exports import export_instance, export_set

FILTERS = [
    OpenApiParameter("definition", str, description="definition key"),
    OpenApiParameter("started_from", OpenApiTypes.DATE),
    OpenApiParameter("started_to", OpenApiTypes.DATE, description="started before this day"),
    OpenApiParameter("business_key", str),
    OpenApiParameter("user", str, description="started the instance or acted in it"),
    OpenApiParameter("state", str, enum=["active", "completed", "terminated", "cancelled"]),
]
STREAM = {
    (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
}


class AuditInstanceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    definition_key = serializers.CharField(source="definition.key")
    definition_version = serializers.IntegerField(source="definition.version")
    business_key = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stream = serializers.CharField()
    seq = serializers.IntegerField()
    occurred_at = serializers.CharField()
    event_type = serializers.CharField()
    actor_kind = serializers.CharField()
    actor_id = serializers.CharField()
    instance_id = serializers.IntegerField(allow_null=True)
    definition_id = serializers.IntegerField(allow_null=True)
    element_id = serializers.CharField()
    data = serializers.JSONField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()


def _filters(request: Request):
    return AuditFilterForm(request.query_params).audit_filter()


@extend_schema(tags=["audit"], parameters=FILTERS)
class AuditInstanceList(ListAPIView):
    """Instances whose audit trail the caller may read, newest first."""

    serializer_class = AuditInstanceSerializer
    filter_backends: list[Any] = []

    def get_queryset(self):
        return audited_instances(user=self.request.user, filters=_filters(self.request))


@extend_schema(tags=["audit"], responses={200: AuditEventSerializer(many=True), **problems(404)})
class AuditEventList(ListAPIView):
    """One instance's audit events in chain order (``data`` decoded; ``hash`` over its
    canonical text, see docs/audit.md)."""

    serializer_class = AuditEventSerializer
    filter_backends: list[Any] = []

    def get_queryset(self):
        try:
            trail = instance_trail(user=self.request.user, instance_id=self.kwargs["instance_id"])
        except NotFoundError:
            raise NotFound() from None
        return trail.events

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return [readable_event(e) for e in (page if page is not None else queryset)]


@extend_schema(tags=["audit"], responses={**STREAM, **problems(404)})
class AuditInstanceExport(APIView):
    """Stream one instance's events with their hashes and a sealed manifest."""

    def get(self, request: Request, instance_id: int, fmt: str) -> StreamingHttpResponse:
        try:
            export = export_instance(user=request.user, instance_id=instance_id, export_format=fmt)
        except NotFoundError:
            raise NotFound() from None
        return export_response(export)


@extend_schema(tags=["audit"], parameters=FILTERS, responses={**STREAM, **problems(404)})
class AuditSetExport(APIView):
    """Stream the events of every instance the filters select, within the caller's scope."""

    def get(self, request: Request, fmt: str) -> StreamingHttpResponse:
        try:
            export = export_set(user=request.user, filters=_filters(request), export_format=fmt)
        except NotFoundError:
            raise NotFound() from None
        return export_response(export)


urlpatterns = [
    path("instances/", AuditInstanceList.as_view(), name="api-audit-instances"),
    path(
        "instances/<int:instance_id>/events/",
        AuditEventList.as_view(),
        name="api-audit-events",
    ),
    path(
        "instances/<int:instance_id>/export.<str:fmt>",
        AuditInstanceExport.as_view(),
        name="api-audit-instance-export",
    ),
    path("export.<str:fmt>", AuditSetExport.as_view(), name="api-audit-export"),
]
