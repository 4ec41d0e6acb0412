"""Authentication (token, session with CSRF, basic) and the schema pages (no CDN)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_a_password_and_then_authenticates(users):
    client = APIClient()
    issued = client.post(
        "/api/v1/auth/token/", {"username": "developer", "password": "procession"}, format="json"
    )
    token = issued.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/deployments/").status_code == 200
    wrong = APIClient().post(
        "/api/v1/auth/token/", {"username": "developer", "password": "x"}, format="json"
    )
    assert wrong.status_code == 400


def test_session_writes_need_the_csrf_token(users, order):
    client = Client(enforce_csrf_checks=True)
    client.login(username="developer", password="procession")
    assert client.get("/api/v1/process-definitions/").status_code == 200
    refused = client.post(
        "/api/v1/process-definitions/key/order/start/", {}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/process-definitions/key/order/start/",
        {},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201


def test_schema_lists_the_native_paths_as_openapi_3_1(db):
    schema = Client().get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.1")
    for path in (
        "/api/v1/deployments/",
        "/api/v1/process-instances/{id}/history/",
        "/api/v1/external-tasks/fetch-and-lock/",
        "/api/v1/messages/",
    ):
        assert path in schema["paths"]
    assert not any(p.startswith("/engine-rest") for p in schema["paths"])


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_schema_pages_load_only_local_assets(db, page):
    response = Client().get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "https://" not in html and "http://" not in html
    assert "<script>" not in html  # no inline script: the CSP holds
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/").split("?")[0]), src
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src


def test_swagger_ui_initialiser_is_served_as_a_script(db):
    response = Client().get("/api/docs/?script=")
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.content.decode()
