"""Camunda-shaped error bodies: ``{"type": "<ExceptionClass>", "message": "..."}``."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from api.problems import engine_status
from bpmn_engine import errors

# Camunda's exception class names for what our errors mean.
ENGINE_TYPES: tuple[tuple[str, str, int | None], ...] = (
    ("NotFoundError", "InvalidRequestException", 404),
    ("ForbiddenError", "AuthorizationException", 403),
    ("DeploymentInvalidError", "ParseException", 400),
    ("ExternalTaskLockError", "BadUserRequestException", 400),
    ("TaskAlreadyClaimedError", "TaskAlreadyClaimedException", 500),
    ("MessageCorrelationError", "RestException", 400),
    ("BackpressureError", "RestException", 429),
    ("InvalidVariableError", "InvalidRequestException", 400),
    ("InvalidCommandError", "BadUserRequestException", 400),
    ("InstanceSuspendedError", "SuspendedEntityInteractionException", 400),
    ("DefinitionSuspendedError", "SuspendedEntityInteractionException", 400),
    ("EngineError", "ProcessEngineException", 500),
)


class CamundaError(exceptions.APIException):
    """An error raised by the adapter itself, with Camunda's type name."""

    def __init__(self, status_code: int, type_: str, message: str) -> None:
        super().__init__(message)
        self.status_code, self.type_ = status_code, type_


def error_body(type_: str, message: str, code: str | int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_, "message": message}
    if code is not None:
        body["code"] = code
    return body


def camunda_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, errors.EngineError):
        for class_name, type_, status in ENGINE_TYPES:
            klass = getattr(errors, class_name, None)
            if klass is not None and isinstance(exc, klass):
                code = status or engine_status(exc)
                headers = None
                if isinstance(exc, errors.BackpressureError):
                    headers = {"Retry-After": str(int(exc.retry_after))}
                return Response(
                    error_body(type_, str(exc), getattr(exc, "code", None)),
                    status=code,
                    headers=headers,
                )
    if isinstance(exc, CamundaError):
        return Response(error_body(exc.type_, str(exc.detail)), status=exc.status_code)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        type_ = "AuthenticationException"
        response["WWW-Authenticate"] = 'Basic realm="Procession"'
        response.status_code = 401
    elif isinstance(exc, exceptions.PermissionDenied):
        type_ = "AuthorizationException"
    else:
        type_ = "InvalidRequestException"
    detail = response.data
    message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else detail
    response.data = error_body(type_, str(message))
    return response
