"""Deployments (multipart upload) and process definitions (list, detail, start)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.native import serializers as s
from api.native.base import problems, require
from api.problems import engine_problem
from bpmn_engine.errors import DeploymentInvalidError
from bpmn_engine.models import Deployment, ProcessDefinition
from bpmn_engine.services import deploy_definition, start_instance

DeployResponse = inline_serializer(
    "DeployResponse",
    {"id": serializers.IntegerField(), "definitions": s.DefinitionSummarySerializer(many=True)},
)
DeployErrors = inline_serializer(
    "DeployErrors",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "errors": s.DeploymentErrorSerializer(many=True),
    },
)


def deployment_errors(exc: DeploymentInvalidError) -> list[dict[str, Any]]:
    """``[{file, line, element_id, message}]`` from the service's per-resource issues."""
    found = [
        {
            "file": name,
            "line": issue.line,
            "element_id": issue.element_id,
            "message": issue.message,
        }
        for name, issues in exc.issues.items()
        for issue in issues
    ]
    return found or [{"file": None, "line": None, "element_id": None, "message": str(exc)}]


def summary(definition: ProcessDefinition) -> dict[str, Any]:
    return {
        "id": definition.pk,
        "key": definition.key,
        "version": definition.version,
        "name": definition.name,
    }


class DeploymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Upload BPMN files as one deployment; read earlier deployments."""

    lookup_value_regex = r"\d+"

    serializer_class = s.DeploymentSerializer
    queryset = Deployment.objects.prefetch_related("definitions", "resources").order_by("-id")

    parser_classes = (MultiPartParser,)

    def get_queryset(self):
        if not getattr(self, "swagger_fake_view", False):
            user = self.request.user
            require(access.can_deploy(user) or access.is_auditor(user))
        return super().get_queryset()

    @extend_schema(
        request={"multipart/form-data": s.DeploymentUploadSerializer},
        responses={201: DeployResponse, 400: DeployErrors, **problems(403, 429)},
    )
    def create(self, request: Request) -> Response:
        """One or more ``file`` parts; all are validated before anything is stored."""
        require(access.can_deploy(request.user))
        upload = s.DeploymentUploadSerializer(
            data={
                "file": request.FILES.getlist("file"),
                **{k: v for k, v in request.data.items() if k in ("name", "duplicate_filtering")},
            }
        )
        upload.is_valid(raise_exception=True)
        files = upload.validated_data["file"]
        resources = {f.name: f.read() for f in files}
        name = upload.validated_data.get("name") or PurePath(files[0].name).stem
        try:
            result = deploy_definition(
                name=name,
                resources=resources,
                source="api",
                deployed_by=request.user,
                duplicate_filtering=upload.validated_data["duplicate_filtering"],
            )
        except DeploymentInvalidError as exc:
            return engine_problem(exc, errors=deployment_errors(exc))
        body = {
            "id": result.deployment.pk,
            "definitions": [summary(d) for d in result.definitions],
        }
        return Response(body, status=status.HTTP_201_CREATED)


class DefinitionFilter(filters.FilterSet):
    key = filters.CharFilter()
    latest = filters.BooleanFilter(method="filter_latest", label="only the latest version")

    class Meta:
        model = ProcessDefinition
        fields = ("key", "latest")

    def filter_latest(self, queryset, name, value):
        if not value:
            return queryset
        newest = (
            ProcessDefinition.objects.filter(key=OuterRef("key"))
            .values("key")
            .annotate(top=Max("version"))
            .values("top")
        )
        return queryset.filter(version=Subquery(newest))


class ProcessDefinitionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Deployed process definitions, every version; start instances of them."""

    lookup_value_regex = r"\d+"

    serializer_class = s.ProcessDefinitionSerializer
    queryset = ProcessDefinition.objects.select_related("resource").order_by("key", "-version")
    filterset_class = DefinitionFilter

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        raw = self.request.query_params.get("xml", "")
        context["with_xml"] = raw.lower() in ("1", "true", "yes")
        return context

    @extend_schema(
        parameters=[OpenApiParameter("xml", bool, description="include the BPMN XML")],
        responses={200: s.ProcessDefinitionSerializer, **problems(404)},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=s.StartSerializer,
        responses={201: s.ProcessInstanceSerializer, **problems(400, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Start an instance of exactly this definition version."""
        definition = get_object_or_404(ProcessDefinition, pk=pk)
        return _start(request, definition, definition_id=definition.pk)

    @extend_schema(
        request=s.StartSerializer,
        responses={201: s.ProcessInstanceSerializer, **problems(400, 403, 404, 409, 429)},
    )
    @action(detail=False, methods=["post"], url_path=r"key/(?P<key>[^/]+)/start")
    def start_by_key(self, request: Request, key: str) -> Response:
        """Start an instance of the latest version of ``key``."""
        definition = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
        if definition is None:
            raise NotFound(f"No process definition with key '{key}' is deployed.")
        return _start(request, definition, definition_key=key)


def _start(request: Request, definition: ProcessDefinition, **target: Any) -> Response:
    require(access.can_start(request.user, definition), hide=False)
    body = s.StartSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    instance = start_instance(
        variables=body.validated_data["variables"],
        business_key=body.validated_data["business_key"],
        user=request.user,
        **target,
    )
    return Response(s.ProcessInstanceSerializer(instance).data, status=status.HTTP_201_CREATED)
