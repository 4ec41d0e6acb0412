"""Handlers shipped with Procession, so diagrams can call services without new code.

Each reads its settings from the diagram only: the task's headers (``zeebe:taskHeaders``,
``camunda:field``), then its input mappings (``camunda:inputOutput`` input parameters,
``zeebe:ioMapping`` inputs: values the diagram computed for this task). Process variables
are data, never settings: a start with ``{"method": "DELETE"}`` changes nothing. Header
settings are templates: ``${name}`` parts are filled from variables by the sandboxed
evaluator; input mappings are already evaluated and used as they are.

- ``http``: ``url``, ``method`` (GET), ``headers`` (JSON object), ``body`` (template;
  a JSON value when ``bodyVariable`` names a variable instead), ``timeout`` (seconds, 10),
  ``resultVariable`` (default ``response``). The response body (parsed when JSON) and
  ``statusCode`` become variables. 5xx answers and network errors are failures (retried);
  4xx answers are failures too, or BPMN errors with code ``HTTP_<status>`` when
  ``bpmnErrorOn4xx`` is ``true``.
- ``log``: writes ``message`` to the ``procession.process`` logger.
- ``email``: sends ``subject`` and ``body`` to ``to`` (comma-separated) with Django's mail.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from bpmn_engine.expressions import ExpressionError, evaluate, is_expression
from bpmn_engine.jobs.handlers import BpmnError, JobContext, handler

log = logging.getLogger("procession.process")
MAX_RESPONSE_BYTES = 5 * 1024 * 1024


def setting(job: JobContext, name: str, default: Any = None) -> Any:
    """A handler setting from the diagram: a header (a template, filled in from the
    variables), else an input mapping, else ``default``."""
    if name not in job.headers:
        return job.inputs.get(name, default)
    raw = job.headers[name]
    if isinstance(raw, str) and is_expression(raw):
        try:
            return evaluate(raw, job.variables)
        except ExpressionError as exc:
            raise ValueError(f"Expected to fill setting '{name}', but {exc.reason}") from exc
    return raw


@handler("http", timeout=120)
def http_call(job: JobContext) -> dict[str, Any]:
    url = str(setting(job, "url") or "")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"Expected an http(s) URL in setting 'url', but got {url!r}")
    method = str(setting(job, "method", "GET")).upper()
    headers = setting(job, "headers", {}) or {}
    if isinstance(headers, str):
        headers = json.loads(headers)
    headers = {"Idempotency-Key": job.idempotency_key, **headers}
    data = _request_body(job, headers)
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    timeout = float(setting(job, "timeout", 10))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, body = response.status, response.read(MAX_RESPONSE_BYTES)
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        status, body, content_type = exc.code, exc.read(MAX_RESPONSE_BYTES), ""
    if 400 <= status < 500 and str(setting(job, "bpmnErrorOn4xx", "false")).lower() == "true":
        raise BpmnError(
            f"HTTP_{status}", f"{method} {url} answered {status}", {"statusCode": status}
        )
    if status >= 400:
        raise RuntimeError(f"{method} {url} answered {status}: {body[:200]!r}")
    result_variable = str(setting(job, "resultVariable", "response"))
    return {result_variable: _decode(body, content_type), "statusCode": status}


def _request_body(job: JobContext, headers: dict[str, str]) -> bytes | None:
    body_variable = job.headers.get("bodyVariable")
    if body_variable:
        headers.setdefault("Content-Type", "application/json")
        return json.dumps(job.variables.get(body_variable)).encode()
    body = setting(job, "body")
    if body is None:
        return None
    if isinstance(body, dict | list):
        headers.setdefault("Content-Type", "application/json")
        return json.dumps(body).encode()
    return str(body).encode()


def _decode(body: bytes, content_type: str) -> Any:
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type or text[:1] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


@handler("log", timeout=10)
def log_message(job: JobContext) -> None:
    message = setting(job, "message", f"job {job.job_id} of instance {job.instance_id}")
    log.info("%s [instance %s, %s]", message, job.instance_id, job.node_id)


@handler("email", timeout=60)
def send_email(job: JobContext) -> dict[str, Any]:
    recipients = [r.strip() for r in str(setting(job, "to", "")).split(",") if r.strip()]
    if not recipients:
        raise ValueError("Expected recipients in setting 'to', but it is empty")
    sent = send_mail(
        subject=str(setting(job, "subject", "")),
        message=str(setting(job, "body", "")),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
    return {"emailSent": bool(sent)}
