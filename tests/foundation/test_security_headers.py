"""The Content-Security-Policy header and what /healthz tells whom."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from config.csp import HEADER, ContentSecurityPolicyMiddleware, csp_extend

pytestmark = pytest.mark.django_db

STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in header.split(";")]
    return {part[0]: part[1:] for part in parts if part}


@pytest.mark.parametrize("name", ["login", "home", "healthz", "admin:login"])
def test_every_page_carries_the_strict_policy(client, name):
    response = client.get(reverse(name))
    assert response[HEADER] == STRICT


def test_error_pages_carry_the_policy_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert directives(response[HEADER])["script-src"] == ["'self'"]


def test_a_decorated_view_adds_sources_for_itself_only():
    @csp_extend(script_src=["'unsafe-inline'"], connect_src=["https://example.org"])
    def explorer(request):
        return HttpResponse("ok")

    def plain(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    relaxed = directives(ContentSecurityPolicyMiddleware(explorer)(request)[HEADER])
    strict = directives(ContentSecurityPolicyMiddleware(plain)(request)[HEADER])
    assert relaxed["script-src"] == ["'self'", "'unsafe-inline'"]
    assert relaxed["connect-src"] == ["'self'", "https://example.org"]
    assert relaxed["object-src"] == ["'none'"]
    assert strict["script-src"] == ["'self'"]
    assert "connect-src" not in strict


def test_a_view_that_sets_its_own_policy_keeps_it():
    def own(request):
        response = HttpResponse("ok")
        response[HEADER] = "default-src 'none'"
        return response

    response = ContentSecurityPolicyMiddleware(own)(RequestFactory().get("/"))
    assert response[HEADER] == "default-src 'none'"


def test_health_tells_anonymous_callers_the_status_only(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_tells_staff_the_database_vendor(client):
    User.objects.create_user("ops", password="x", is_staff=True)
    client.login(username="ops", password="x")
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok", "database": connection.vendor}


def test_health_hides_the_database_error_from_anonymous_callers(client):
    def refuse(execute, sql, params, many, context):
        raise OperationalError('connection to server at "db.internal" (10.0.0.7) refused')

    with connection.execute_wrapper(refuse):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"db.internal" not in response.content
