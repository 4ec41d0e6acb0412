"""Login brute force: wrong passwords lock out one (username, IP address) pair."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

from config.login_rate_limit import client_ip

pytestmark = pytest.mark.django_db
LIMIT = 3


@pytest.fixture
def sally(db):
    return User.objects.create_user("sally", password="procession")


def attempt(client: Client, password: str, *, username: str = "sally", **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_right_password_is_refused_after_too_many_wrong_ones_from_the_same_address(sally):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200
    locked = attempt(client, "wrong")
    assert locked.status_code == 429
    refused = attempt(client, "procession")
    assert refused.status_code == 429
    assert b"Too many failed logins" in refused.content
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_lockout_binds_username_and_address_together(sally):
    User.objects.create_user("sam", password="procession")
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(LIMIT):
        attempt(attacker, "wrong")
    assert attempt(attacker, "procession").status_code == 429
    # sally from her own address and sam from the attacker's address still log in
    assert attempt(Client(REMOTE_ADDR="198.51.100.7"), "procession").status_code == 302
    assert attempt(attacker, "procession", username="sam").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_forged_forwarded_for_header_neither_resets_nor_moves_the_lockout(sally):
    client = Client(REMOTE_ADDR="203.0.113.66")
    for number in range(LIMIT):
        attempt(client, "wrong", headers={"X-Forwarded-For": f"10.0.0.{number}"})
    forged = attempt(client, "procession", headers={"X-Forwarded-For": "10.9.9.9"})
    assert forged.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_successful_login_clears_earlier_failures(sally):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(LIMIT - 1):
        attempt(client, "wrong")
    assert attempt(client, "procession").status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        attempt(client, "wrong")
    assert attempt(client, "procession").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_api_basic_authentication_counts_against_the_same_limit(sally):
    import base64

    client = Client(REMOTE_ADDR="198.51.100.9")

    def basic(password: str) -> int:
        token = base64.b64encode(f"sally:{password}".encode()).decode()
        return client.get("/api/v1/tasks/", HTTP_AUTHORIZATION=f"Basic {token}").status_code

    for _ in range(LIMIT):
        assert basic("wrong") in (401, 403)
    assert basic("procession") in (401, 403, 429)
    assert attempt(client, "procession").status_code == 429


def test_client_address_behind_trusted_proxies_is_the_one_they_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44")
    settings.PROCESSION_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.PROCESSION_PROXY_COUNT = 1
    assert client_ip(request) == "192.0.2.44"  # the client's own "6.6.6.6" is not believed
    settings.PROCESSION_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: not trusted
