"""Liveness/readiness probe: answers 200 when the database answers, 503 otherwise.

Anonymous callers learn the status only; staff also see the database vendor. A database
error is logged, never returned.
"""

import logging

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health check: the database did not answer")
        return JsonResponse({"status": "unavailable"}, status=503)
    body = {"status": "ok"}
    if request.user.is_authenticated and request.user.is_staff:
        body["database"] = connection.vendor
    return JsonResponse(body)
