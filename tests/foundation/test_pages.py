"""Login, logout, the shared base template and the admin."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users():
    call_command("load_demo", verbosity=0)


def test_login_page_renders_the_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_home_redirects_anonymous_users_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_demo_user_logs_in_and_sees_their_groups(client, demo_users):
    response = client.post(reverse("login"), {"username": "sally", "password": "procession"})
    assert response.status_code == 302
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert b"sales" in page.content
    assert b"finance" not in page.content


def test_wrong_password_is_refused_with_a_message(client, demo_users):
    response = client.post(reverse("login"), {"username": "sally", "password": "wrong"})
    assert response.status_code == 200
    assert b"didn't match" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client, demo_users):
    client.login(username="sally", password="procession")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_is_open_to_the_demo_administrator(client, demo_users):
    client.login(username="admin", password="procession")
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_is_closed_to_business_users(client, demo_users):
    client.login(username="sally", password="procession")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_demo_data_loads_twice_without_duplicates(demo_users):
    from django.contrib.auth.models import Group, User

    call_command("load_demo", verbosity=0)
    assert User.objects.filter(username="sally").count() == 1
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "process-developers",
        "sales",
        "finance",
        "auditors",
    }


def test_health_endpoint_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_schema_is_served_to_authenticated_users(client, demo_users):
    client.login(username="developer", password="procession")
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"openapi" in response.content


def test_demo_data_deploys_the_demo_diagrams_once(demo_users):
    from bpmn_engine.models import ProcessDefinition

    call_command("load_demo", verbosity=0)
    keys = set(ProcessDefinition.objects.values_list("key", flat=True))
    assert {"approval", "three_reviews", "order", "credit_check"} <= keys
    assert ProcessDefinition.objects.filter(key="approval").count() == 1
