"""schemathesis against the generated OpenAPI schema: for every operation, generated
requests (a bounded number each) never get a 5xx and every answer matches the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from tests.api import diagrams
from tests.api.conftest import deploy_xml

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def admin_token(users, settings):
    """The admin's token; the in-process WSGI calls keep the test's database connection."""
    settings.PROCESSION_MAX_ASYNC_RESPONSE_MS = 50  # generated long-poll timeouts stay short
    deploy_xml(order=diagrams.ORDER)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Token.objects.create(user=users["admin"]).key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_without_server_errors_and_as_documented(case, admin_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
