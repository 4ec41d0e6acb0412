"""History of activity instances and incidents, as Camunda's query endpoints."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.camunda_rest.base import CamundaView, bool_param, page, require
from api.camunda_rest.dtos import activity_dto, incident_dto
from api.camunda_rest.repository import _int
from bpmn_engine.models import ActivityHistory, Incident


def _activities(request: Request):
    require(access.can_read_operations(request.user))
    rows = ActivityHistory.objects.select_related("instance__definition").defer("instance__state")
    params = request.query_params
    if params.get("processInstanceId"):
        rows = rows.filter(instance_id=_int(params["processInstanceId"]))
    if params.get("activityId"):
        rows = rows.filter(node_id=params["activityId"])
    if params.get("activityType"):
        rows = rows.filter(node_type=params["activityType"])
    if bool_param(request, "finished"):
        rows = rows.exclude(ended_at=None)
    if bool_param(request, "unfinished"):
        rows = rows.filter(ended_at=None)
    if bool_param(request, "canceled"):
        rows = rows.filter(state="cancelled")
    order = "-" if request.query_params.get("sortOrder") == "desc" else ""
    return rows.order_by(f"{order}started_at", f"{order}id")


class ActivityHistoryView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response(
            [activity_dto(row, row.instance) for row in page(request, _activities(request))]
        )


class ActivityHistoryCountView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response({"count": _activities(request).count()})


def _incidents(request: Request):
    require(access.can_read_operations(request.user))
    rows = (
        Incident.objects.select_related("instance", "job")
        .defer("instance__state")
        .filter(state="open")
    )
    params = request.query_params
    if params.get("processInstanceId"):
        rows = rows.filter(instance_id=_int(params["processInstanceId"]))
    if params.get("activityId"):
        rows = rows.filter(node_id=params["activityId"])
    if params.get("incidentId"):
        rows = rows.filter(pk=_int(params["incidentId"]))
    return rows.order_by("created_at", "pk")


class IncidentListView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response([incident_dto(i) for i in page(request, _incidents(request))])


class IncidentCountView(CamundaView):
    def get(self, request: Request) -> Response:
        return Response({"count": _incidents(request).count()})
