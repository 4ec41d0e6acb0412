"""Version, deployments (the Modeler's Deploy button) and process definitions (Start)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.camunda_rest.base import CamundaView, body, bool_param, page, require
from api.camunda_rest.dtos import definition_dto, deployment_dto, instance_dto
from api.camunda_rest.errors import CamundaError
from api.camunda_rest.variables import from_typed, to_typed
from bpmn_engine.errors import DeploymentInvalidError
from bpmn_engine.models import Deployment, ProcessDefinition, VariableRow
from bpmn_engine.services import deploy_definition, start_instance

CAMUNDA_VERSION = "7.24.0"
RESERVED_PARTS = {
    "deployment-name",
    "deployment-activation-time",
    "enable-duplicate-filtering",
    "deploy-changed-only",
    "deployment-source",
    "tenant-id",
}
PARSE_PREFIX = "ENGINE-09005 Could not parse BPMN process."


def base_url(request: Request) -> str:
    """The adapter root this request came through (``.../engine-rest`` or ``.../rest``)."""
    prefix = request.path.split("/")[1]
    return request.build_absolute_uri(f"/{prefix}")


class VersionView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response({"version": CAMUNDA_VERSION})


class DeploymentListView(CamundaView):
    def get(self, request: Request) -> Response:
        require(access.can_deploy(request.user) or access.is_auditor(request.user))
        rows = Deployment.objects.order_by("-deployed_at", "-id")
        name = request.query_params.get("name")
        if name:
            rows = rows.filter(name=name)
        url = base_url(request)
        return Response([deployment_dto(d, url) for d in page(request, rows)])


class DeploymentCountView(CamundaView):
    def get(self, request: Request) -> Response:
        require(access.can_deploy(request.user) or access.is_auditor(request.user))
        return Response({"count": Deployment.objects.count()})


class DeploymentDetailView(CamundaView):
    def get(self, request: Request, pk: str) -> Response:
        require(access.can_deploy(request.user) or access.is_auditor(request.user))
        deployment = Deployment.objects.filter(pk=_int(pk)).first()
        if deployment is None:
            raise CamundaError(
                404, "InvalidRequestException", f"Deployment with id '{pk}' does not exist"
            )
        return Response(deployment_dto(deployment, base_url(request)))


class DeploymentCreateView(CamundaView):
    """``multipart/form-data``: every non-reserved part with a filename is a resource."""

    parser_classes = (MultiPartParser, FormParser)

    def post(self, request: Request) -> Response:
        require(access.can_deploy(request.user))
        stray = [name for name in request.POST if name not in RESERVED_PARTS]
        if stray:
            raise CamundaError(
                400, "InvalidRequestException", f"No file found in form part '{stray[0]}'"
            )
        resources = {f.name: f.read() for _, f in request.FILES.items()}
        if not resources:
            raise CamundaError(
                400,
                "InvalidRequestException",
                "No deployment resources contained in the form upload.",
            )
        fields = request.POST
        filtering = (
            fields.get("enable-duplicate-filtering") or fields.get("deploy-changed-only") or ""
        ).lower() == "true"
        name = fields.get("deployment-name") or next(iter(resources))
        try:
            result = deploy_definition(
                name=name,
                resources=resources,
                source=fields.get("deployment-source", ""),
                deployed_by=request.user,
                duplicate_filtering=filtering,
            )
        except DeploymentInvalidError as exc:
            return Response(parse_error(exc), status=status.HTTP_400_BAD_REQUEST)
        answer = deployment_dto(result.deployment, base_url(request))
        definitions = None if result.duplicate else result.definitions
        answer.update(
            {
                "deployedProcessDefinitions": {str(d.pk): definition_dto(d) for d in definitions}
                if definitions
                else None,
                "deployedCaseDefinitions": None,
                "deployedDecisionDefinitions": None,
                "deployedDecisionRequirementsDefinitions": None,
            }
        )
        return Response(answer)


def parse_error(exc: DeploymentInvalidError) -> dict[str, Any]:
    details = {
        name: {
            "errors": [
                {
                    "message": issue.message,
                    "line": issue.line or 0,
                    "column": 0,
                    "mainBpmnElementId": issue.element_id,
                    "bpmnElementIds": [issue.element_id] if issue.element_id else [],
                }
                for issue in issues
            ],
            "warnings": [],
        }
        for name, issues in exc.issues.items()
    }
    lines = [
        f"{issue.message} | resource {name} | line {issue.line or 0} | column 0"
        for name, issues in exc.issues.items()
        for issue in issues
    ] or [str(exc)]
    return {
        "type": "ParseException",
        "message": f"{PARSE_PREFIX} Errors: \n* " + "\n* ".join(lines),
        "details": details,
        "code": getattr(exc, "code", None),
    }


def root_variables(instance_id: int) -> dict[str, Any]:
    rows = VariableRow.objects.filter(instance_id=instance_id, scope_id="root").order_by("name")
    return {row.name: row.value for row in rows}


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise CamundaError(404, "InvalidRequestException", f"No entity with id '{raw}'") from exc


def _definitions(request: Request):
    rows = ProcessDefinition.objects.select_related("resource")
    params = request.query_params
    if params.get("key"):
        rows = rows.filter(key=params["key"])
    if params.get("keysIn"):
        rows = rows.filter(key__in=params["keysIn"].split(","))
    if params.get("processDefinitionId"):
        rows = rows.filter(pk=_int(params["processDefinitionId"]))
    if params.get("name"):
        rows = rows.filter(name=params["name"])
    if params.get("version"):
        rows = rows.filter(version=_int(params["version"]))
    if params.get("versionTagLike"):
        rows = rows.filter(version_tag__icontains=params["versionTagLike"].strip("%"))
    if bool_param(request, "latestVersion"):
        newest = (
            ProcessDefinition.objects.filter(key=OuterRef("key"))
            .values("key")
            .annotate(top=Max("version"))
            .values("top")
        )
        rows = rows.filter(version=Subquery(newest))
    if bool_param(request, "suspended") is not None:
        rows = rows.filter(suspended=bool_param(request, "suspended"))
    sort = {"key": "key", "version": "version", "name": "name", "id": "pk"}.get(
        params.get("sortBy", ""), "pk"
    )
    return rows.order_by(("-" if params.get("sortOrder") == "desc" else "") + sort)


class DefinitionListView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response([definition_dto(d) for d in page(request, _definitions(request))])


class DefinitionCountView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response({"count": _definitions(request).count()})


def _definition(pk: str | None = None, key: str | None = None) -> ProcessDefinition:
    if key is not None:
        found = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
    else:
        found = ProcessDefinition.objects.filter(pk=_int(pk or "")).first()
    if found is None:
        what = f"key '{key}'" if key is not None else f"id '{pk}'"
        raise CamundaError(
            404, "InvalidRequestException", f"No matching process definition with {what}"
        )
    return found


class DefinitionDetailView(CamundaView):
    def get(self, request: Request, pk: str | None = None, key: str | None = None) -> Response:
        return Response(definition_dto(_definition(pk, key)))


class DefinitionXmlView(CamundaView):
    def get(self, request: Request, pk: str | None = None, key: str | None = None) -> Response:
        definition = _definition(pk, key)
        xml = bytes(definition.resource.content).decode("utf-8", errors="replace")
        return Response({"id": str(definition.pk), "bpmn20Xml": xml})


class DefinitionStartView(CamundaView):
    """``{"variables": {typed}, "businessKey"}`` -> ProcessInstanceWithVariablesDto."""

    parser_classes = (JSONParser,)

    def post(
        self,
        request: Request,
        pk: str | None = None,
        key: str | None = None,
        tenant: str | None = None,
    ) -> Response:
        definition = _definition(pk, key)
        require(access.can_start(request.user, definition))
        data = body(request)
        instance = start_instance(
            definition_id=definition.pk,
            variables=from_typed(data.get("variables")),
            business_key=data.get("businessKey"),
            user=request.user,
        )
        answer = instance_dto(instance, base_url(request))
        if data.get("withVariablesInReturn"):
            answer["variables"] = to_typed(root_variables(instance.pk))
        return Response(answer)


def webapps(request: Any) -> dict[str, str]:
    return {
        "adminUrl": request.build_absolute_uri(reverse("admin:index")),
        "cockpitUrl": request.build_absolute_uri(reverse("admin:index")),
        "tasklistUrl": request.build_absolute_uri(reverse("home")),
    }


@require_GET
def well_known_webapps(request: HttpRequest) -> JsonResponse:
    """``/.well-known/camunda-automation-platform/webapps`` (no auth): our own pages."""
    return JsonResponse(webapps(request))
