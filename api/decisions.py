"""Decision evaluation: POST /api/v1/decision-definitions/key/{key}/evaluate/.

Values travel as JSON both ways without a float in between: request numbers are read as
decimals, answer numbers are written with their exact digits; temporal inputs arrive as
ISO text and are converted by the input's typeRef (see ``dmn.json_values``)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.views import APIView

from api import access
from api.native.base import problems, require
from bpmn_engine.dmn.json_values import to_json
from bpmn_engine.expressions.feel import CTX
from bpmn_engine.services.decisions import evaluate_decision


def dumps(value: Any) -> str:
    """JSON text in which decimals keep their digits (``0.30``, ``1E+3`` as ``1000``)."""
    if type(value) is Decimal:
        return _number_text(value)
    if type(value) is list:
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if type(value) is dict:
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def _number_text(value: Decimal) -> str:
    if not value.is_finite():
        return "null"
    if value == value.to_integral_value() and value.adjusted() < 34:
        return f"{value.quantize(Decimal(1), context=CTX):f}"
    return f"{value:f}" if abs(value.adjusted()) < 34 else str(value)


def _variables(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"Expected a JSON body, but {exc}") from None
    variables = body.get("variables", {}) if type(body) is dict else None
    if type(variables) is not dict:
        raise ParseError('Expected a body {"variables": {name: value}}')
    return variables


class EvaluateDecisionView(APIView):
    """Evaluate the latest version of a deployed decision (or decision service); answers
    ``{"result": {decision name: value}}``."""

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **problems(400, 403, 404, 422)},
    )
    def post(self, request: Request, key: str) -> HttpResponse:
        require(access.can_correlate(request.user))
        result = evaluate_decision(key=key, variables=_variables(request))
        text = dumps({"result": to_json(result)})
        return HttpResponse(text, content_type="application/json")


urlpatterns = [
    path(
        "key/<str:key>/evaluate/",
        EvaluateDecisionView.as_view(),
        name="api-decision-evaluate",
    ),
]
