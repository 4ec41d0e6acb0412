"""The audit API: scoped reads and streamed exports that verify offline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from bpmn_engine.models import AuditEvent
from bpmn_engine.services import start_instance
from tests.audit.test_exports import SCRIPT
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval(users):
    deploy("user_task/approval.bpmn")
    return start_instance(
        definition_key="approval",
        business_key="A-1",
        variables={"dueDate": "2026-03-04T09:00:00+00:00"},
        now=T0,
    )


def client_for(name: str, *grants) -> APIClient:
    user = User.objects.create_user(name, password="x")
    for definition in grants:
        assign_perm("bpmn_engine.view_audit", user, definition)
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def test_anonymous_callers_are_refused():
    assert APIClient().get("/api/v1/audit/instances/").status_code in (401, 403)


def test_without_a_grant_the_api_shows_nothing(approval):
    client = client_for("nora")
    assert client.get("/api/v1/audit/instances/").json()["results"] == []
    assert client.get(f"/api/v1/audit/instances/{approval.pk}/events/").status_code == 404
    assert client.get(f"/api/v1/audit/instances/{approval.pk}/export.jsonl").status_code == 404


def test_a_granted_auditor_reads_the_events_in_chain_order(approval):
    client = client_for("audrey", approval.definition)
    listed = client.get("/api/v1/audit/instances/?business_key=A-1").json()["results"]
    assert [row["id"] for row in listed] == [approval.pk]
    events = client.get(f"/api/v1/audit/instances/{approval.pk}/events/").json()["results"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["event_type"] == "instance.started"
    assert isinstance(events[0]["data"], dict)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_api_export_verifies_offline_and_is_recorded(approval, tmp_path, fmt):
    client = client_for("audrey", approval.definition)
    response = client.get(f"/api/v1/audit/instances/{approval.pk}/export.{fmt}")
    assert response.status_code == 200
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    exported = AuditEvent.objects.get(event_type="audit.exported")
    assert exported.actor_id == "audrey"
    assert json.loads(exported.data)["format"] == fmt
