"""Errors as RFC 9457 problem details (``application/problem+json``).

Every engine error class has a stable ``type`` URI (``urn:procession:problem:<slug>``);
DRF's own errors (validation, authentication, permission, not found, throttling) get one
too. ``BackpressureError`` answers 429 with ``Retry-After``."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from bpmn_engine import errors

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:procession:problem:"

# Most specific class first: the first isinstance match decides the status.
ENGINE_STATUS: tuple[tuple[type[errors.EngineError], int], ...] = tuple(
    (klass, code)
    for klass, code in (
        (errors.NotFoundError, status.HTTP_404_NOT_FOUND),
        (getattr(errors, "ForbiddenError", None), status.HTTP_403_FORBIDDEN),
        (getattr(errors, "MessageNotCorrelatedError", None), status.HTTP_404_NOT_FOUND),
        (errors.DeploymentInvalidError, status.HTTP_400_BAD_REQUEST),
        (getattr(errors, "InstanceStateError", None), status.HTTP_409_CONFLICT),
        (getattr(errors, "InvalidVariableError", None), status.HTTP_400_BAD_REQUEST),
        (getattr(errors, "InvalidCommandError", None), status.HTTP_400_BAD_REQUEST),
        (getattr(errors, "LimitExceededError", None), status.HTTP_422_UNPROCESSABLE_ENTITY),
        (errors.DecisionEvaluationError, status.HTTP_422_UNPROCESSABLE_ENTITY),
        (getattr(errors, "CommandBudgetExceededError", None), 422),
        (getattr(errors, "StorageError", None), status.HTTP_503_SERVICE_UNAVAILABLE),
        (errors.BackpressureError, status.HTTP_429_TOO_MANY_REQUESTS),
        (errors.ConcurrentModificationError, status.HTTP_409_CONFLICT),
        (errors.EngineError, status.HTTP_409_CONFLICT),
    )
    if klass is not None
)


def slug(name: str) -> str:
    """``TaskAlreadyClaimedError`` -> ``task-already-claimed``."""
    name = name.removesuffix("Error").removesuffix("Exception")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_type(exc_class: type[BaseException]) -> str:
    """The engine error's stable ``code`` (class name as a fallback) as a URN."""
    code = getattr(exc_class, "code", None)
    if not isinstance(code, str):
        code = slug(exc_class.__name__)
    return TYPE_PREFIX + code


def engine_status(exc: errors.EngineError) -> int:
    override = getattr(exc, "http_status", None)
    if isinstance(override, int):
        return override
    for klass, code in ENGINE_STATUS:
        if isinstance(exc, klass):
            return code
    return status.HTTP_409_CONFLICT


def problem(
    status_code: int,
    *,
    type_: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body = {"type": type_, "title": title, "status": status_code, "detail": detail}
    body.update({k: v for k, v in extensions.items() if v is not None})
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def engine_problem(exc: errors.EngineError, **extensions: Any) -> Response:
    code = engine_status(exc)
    # Anything not found answers alike, so a hidden object cannot be told from a missing one.
    klass = errors.NotFoundError if isinstance(exc, errors.NotFoundError) else type(exc)
    headers = None
    if isinstance(exc, errors.BackpressureError):
        headers = {"Retry-After": str(int(exc.retry_after))}
    return problem(
        code,
        type_=problem_type(klass),
        title=_title(klass),
        detail=str(exc),
        headers=headers,
        code=getattr(exc, "code", None),
        **extensions,
    )


def _title(exc_class: type[BaseException]) -> str:
    words = slug(exc_class.__name__).replace("-", " ")
    return words[:1].upper() + words[1:]


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: engine errors and DRF errors as problem details."""
    if isinstance(exc, errors.EngineError):
        return engine_problem(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        detail, invalid = "The request is not valid.", data
    else:
        detail = str(data.get("detail", exc.detail)) if isinstance(data, dict) else str(data)
        invalid = None
    headers = {
        k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After")
    }
    return problem(
        response.status_code,
        type_=TYPE_PREFIX + exc.default_code.replace("_", "-"),
        title=str(exc.default_detail).rstrip("."),
        detail=detail,
        headers=headers,
        invalid_params=invalid,
    )
