"""The adapter's base view: Camunda's auth (HTTP basic, or a token as ``Bearer``),
Camunda-shaped errors, paging by ``firstResult``/``maxResults``, out of the OpenAPI schema
(Camunda publishes its own)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.authentication import (
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from api.camunda_rest.errors import CamundaError, camunda_exception_handler


class BearerTokenAuthentication(TokenAuthentication):
    """``Authorization: Bearer <token>`` (what the Modeler sends for token auth)."""

    keyword = "Bearer"


class BasicAuthWithChallenge(BasicAuthentication):
    www_authenticate_realm = "Procession"


@extend_schema(exclude=True)
class CamundaView(APIView):
    authentication_classes = (
        BasicAuthWithChallenge,
        BearerTokenAuthentication,
        TokenAuthentication,
        SessionAuthentication,
    )

    def get_exception_handler(self):
        return camunda_exception_handler


def require(allowed: bool, *, hide: bool = False) -> None:
    if not allowed:
        raise NotFound("not found") if hide else PermissionDenied("not permitted")


def int_param(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise CamundaError(
            400, "InvalidRequestException", f"Cannot set query parameter '{name}' to value '{raw}'"
        ) from exc


def bool_param(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    return raw.lower() == "true"


def page(request: Request, rows: Sequence[Any] | Any) -> list[Any]:
    """Camunda paging: ``firstResult`` (default 0) and ``maxResults`` (0 is allowed)."""
    first = max(0, int_param(request, "firstResult", 0) or 0)
    limit = int_param(request, "maxResults")
    if limit is None:
        return list(rows[first:])
    return list(rows[first : first + max(0, limit)])


def body(request: Request) -> dict[str, Any]:
    data = request.data
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        raise CamundaError(400, "InvalidRequestException", "Expected a JSON object")
    return dict(data)
