"""Service-task handlers: Python callables registered by job type (topic).

    from bpmn_engine.jobs.handlers import handler, BpmnError

    @handler("charge-card", timeout=30)
    def charge_card(job):
        if job.variables["amount"] > 1000:
            raise BpmnError("LIMIT_EXCEEDED", "amount over the card limit")
        receipt = payments.charge(job.variables["card"], key=job.idempotency_key)
        return {"receipt": receipt}

A handler receives a ``JobContext`` and returns a dict of variables (or None). Raising
``BpmnError`` routes to a matching error boundary event; any other exception is a
failure that is retried with backoff and, when retries run out, becomes an incident.
Handlers may run more than once for one job (at-least-once delivery): use
``job.idempotency_key``, stable across every attempt, when calling other systems.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEOUT_SECONDS = 300.0


class BpmnError(Exception):
    """A business error for the process (an error event), not a technical failure."""

    def __init__(
        self, code: str, message: str | None = None, variables: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.variables = dict(variables or {})


class HandlerNotFoundError(LookupError):
    """No handler is registered for a job type."""


@dataclass(frozen=True)
class JobContext:
    """What a handler sees of its job."""

    job_id: int
    job_type: str
    idempotency_key: str
    variables: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)
    instance_id: int = 0
    business_key: str | None = None
    node_id: str = ""
    attempt: int = 1
    #: The task's input mappings (values the diagram computed for it): with the headers,
    #: the only place a handler should read its settings from.
    inputs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Handler:
    job_type: str
    function: Callable[[JobContext], Mapping[str, Any] | None]
    timeout: float = DEFAULT_TIMEOUT_SECONDS


_REGISTRY: dict[str, Handler] = {}


def handler(job_type: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS):
    """Register the decorated function as the handler of ``job_type``."""

    def register(function: Callable[[JobContext], Mapping[str, Any] | None]):
        register_handler(job_type, function, timeout=timeout)
        return function

    return register


def register_handler(
    job_type: str,
    function: Callable[[JobContext], Any],
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> None:
    _REGISTRY[job_type] = Handler(job_type, function, timeout)


def unregister_handler(job_type: str) -> None:
    _REGISTRY.pop(job_type, None)


def get_handler(job_type: str) -> Handler:
    try:
        return _REGISTRY[job_type]
    except KeyError:
        raise HandlerNotFoundError(
            f"Expected a handler registered for job type '{job_type}', but there is none"
        ) from None


def has_handler(job_type: str) -> bool:
    return job_type in _REGISTRY


def registered_job_types() -> list[str]:
    """Every job type with a handler in this process, sorted."""
    return sorted(_REGISTRY)


def load_handler_modules(module_names: list[str]) -> None:
    """Import the modules that register handlers (settings.PROCESSION_HANDLER_MODULES)."""
    for name in module_names:
        importlib.import_module(name)
