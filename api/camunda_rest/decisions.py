"""Decision definitions: ``POST /decision-definition/key/{key}/evaluate`` and
``/decision-definition/{id}/evaluate`` (typed variables in, one map of output name to
typed value per matched rule out, as Camunda 7 answers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import access
from api.camunda_rest.base import CamundaView, body, require
from api.camunda_rest.errors import CamundaError
from api.camunda_rest.variables import INT_MAX, INT_MIN, from_typed
from api.decisions import dumps
from bpmn_engine.dmn.json_values import to_json
from bpmn_engine.errors import DecisionEvaluationError
from bpmn_engine.services.decisions import evaluate_decision_rules


def typed_result(value: Any) -> dict[str, Any]:
    """A decision output as Camunda's typed value: integral numbers ``Integer``/``Long``,
    other numbers ``Double``, dates, times and durations their ISO text as ``String``,
    lists and contexts ``Json``."""
    data = to_json(value)
    if data is None:
        return {"type": "Null", "value": None, "valueInfo": {}}
    if type(data) is bool:
        return {"type": "Boolean", "value": data, "valueInfo": {}}
    if type(data) is Decimal:
        if data == data.to_integral_value():
            number = int(data)
            kind = "Integer" if INT_MIN <= number <= INT_MAX else "Long"
            return {"type": kind, "value": number, "valueInfo": {}}
        return {"type": "Double", "value": float(data), "valueInfo": {}}
    if type(data) in (list, dict):
        return {"type": "Json", "value": dumps(data), "valueInfo": {}}
    return {"type": "String", "value": str(data), "valueInfo": {}}


def _plain_numbers(variables: dict[str, Any]) -> dict[str, Any]:
    """Typed ``Double`` inputs come as floats; FEEL reads them by their shortest text."""
    return {n: Decimal(repr(v)) if type(v) is float else v for n, v in variables.items()}


class DecisionEvaluateView(CamundaView):
    """``{"variables": {name: {"value", "type"}}}`` -> ``[{output: typed value}, ...]``;
    403 without the right to evaluate decisions, 404 for an unknown decision, 500
    (``RestException``) when the evaluation fails, as Camunda does."""

    parser_classes = (JSONParser,)

    def post(self, request: Request, pk: str | None = None, key: str | None = None) -> Response:
        require(access.can_correlate(request.user))
        variables = _plain_numbers(from_typed(body(request).get("variables")))
        if key is None and not (pk or "").isdigit():
            raise CamundaError(
                404, "InvalidRequestException", f"No matching decision definition with id '{pk}'"
            )
        try:
            rules = evaluate_decision_rules(
                variables=variables, key=key, definition_id=None if key else int(pk or 0)
            )
        except DecisionEvaluationError as exc:
            raise CamundaError(500, "RestException", f"Cannot evaluate decision: {exc}") from None
        return Response([{name: typed_result(v) for name, v in rule.items()} for rule in rules])
