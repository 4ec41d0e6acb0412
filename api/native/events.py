"""Messages and signals from outside."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import access
from api.native import serializers as s
from api.native.base import problems, require
from bpmn_engine import services


class MessageView(APIView):
    """Correlate a message: by business key, subscription correlation key, process
    variables (``correlation_keys``: every named variable equal) or instance id."""

    @extend_schema(
        request=s.MessageSerializer,
        responses={200: s.MessageResultSerializer, **problems(400, 403, 404, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        require(access.can_correlate(request.user))
        body = s.MessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        results = services.correlate_message(
            message_name=data["name"],
            business_key=data.get("business_key"),
            correlation_key=data.get("correlation_key"),
            correlation_keys=data.get("correlation_keys") or None,
            instance_id=data.get("process_instance"),
            variables=data["variables"],
            correlate_all=data["all"],
            user=request.user,
        )
        return Response(
            {
                "results": [
                    {
                        "kind": r.kind,
                        "process_instance": s.ProcessInstanceSummarySerializer(r.instance).data,
                    }
                    for r in results
                ]
            }
        )


class SignalView(APIView):
    """Broadcast a signal to every waiting subscription and signal start event."""

    @extend_schema(
        request=s.SignalSerializer,
        responses={200: s.SignalResultSerializer, **problems(400, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        require(access.can_correlate(request.user))
        body = s.SignalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        delivered = services.broadcast_signal(
            signal_name=body.validated_data["name"],
            variables=body.validated_data["variables"],
            user=request.user,
        )
        return Response({"delivered": delivered})
