"""Auditor pages: read-only, scoped by the view_audit grant; without one, nothing shows."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission, User
from guardian.shortcuts import assign_perm

from bpmn_engine.models import AuditEvent, ProcessDefinition
from bpmn_engine.services import claim_user_task, start_instance
from bpmn_engine.services.audit_access import grant_audit_access, revoke_audit_access
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db
DUE = {"dueDate": "2026-03-04T09:00:00+00:00"}


@pytest.fixture
def two_processes(users):
    deploy("user_task/approval.bpmn")
    deploy("message/payment.bpmn")
    approval = start_instance(
        definition_key="approval", business_key="A-1", variables=DUE, user=users["sally"], now=T0
    )
    claim_user_task(task_id=approval.user_tasks.get().pk, user=users["sam"])
    payment = start_instance(definition_key="payment", business_key="P-1", now=T0)
    return approval, payment


def auditor(name: str, *definitions: ProcessDefinition, everything: bool = False) -> User:
    user = User.objects.create_user(name, password="x")
    if everything:
        user.user_permissions.add(Permission.objects.get(codename="view_audit"))
    for definition in definitions:
        assign_perm("bpmn_engine.view_audit", user, definition)
    return User.objects.get(pk=user.pk)


def test_an_auditor_without_a_grant_sees_no_instance_and_no_trail(client, two_processes):
    approval, _ = two_processes
    client.force_login(auditor("nora"))
    listing = client.get("/audit/")
    assert listing.status_code == 200
    assert "A-1" not in listing.text and "P-1" not in listing.text
    assert client.get(f"/audit/instances/{approval.pk}/").status_code == 404
    assert client.get(f"/audit/instances/{approval.pk}/export.jsonl").status_code == 404
    assert client.get(f"/audit/instances/{approval.pk}/report/").status_code == 404
    exported = b"".join(client.get("/audit/export.jsonl").streaming_content)
    *rows, manifest = exported.splitlines()
    assert rows == [] and json.loads(manifest)["manifest"]["events"] == 0


def test_a_grant_on_one_definition_shows_only_its_instances(client, two_processes):
    approval, payment = two_processes
    client.force_login(auditor("audrey", approval.definition))
    listing = client.get("/audit/")
    assert "A-1" in listing.text and "P-1" not in listing.text
    assert client.get(f"/audit/instances/{payment.pk}/").status_code == 404
    timeline = client.get(f"/audit/instances/{approval.pk}/")
    assert timeline.status_code == 200
    assert "task.claimed" in timeline.text and "sam" in timeline.text
    exported = b"".join(client.get("/audit/export.jsonl").streaming_content)
    streams = {json.loads(line)["stream"] for line in exported.splitlines()[:-1]}
    assert streams == {f"instance:{approval.pk}"}


def test_filters_narrow_the_list_by_user_state_key_and_date(client, two_processes):
    client.force_login(auditor("ada", everything=True))
    assert "A-1" in client.get("/audit/?user=sam").text
    assert "P-1" not in client.get("/audit/?user=sam").text
    assert "A-1" not in client.get("/audit/?business_key=P-1").text
    assert "A-1" not in client.get("/audit/?state=completed").text
    assert "A-1" not in client.get("/audit/?started_from=2026-03-03").text
    assert "A-1" in client.get("/audit/?started_from=2026-03-02&definition=approval").text


def test_an_export_is_itself_recorded_with_the_auditor(client, two_processes):
    approval, _ = two_processes
    client.force_login(auditor("ada", everything=True))
    response = client.get(f"/audit/instances/{approval.pk}/export.csv")
    body = b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/csv")
    event = AuditEvent.objects.filter(event_type="audit.exported").get()
    assert (event.actor_id, event.instance_id) == ("ada", approval.pk)
    assert json.loads(event.data)["format"] == "csv"
    assert str(event.hash).encode() not in body  # the export covers what preceded it


def test_the_printable_report_shows_who_when_variables_and_the_digest(client, two_processes):
    approval, _ = two_processes
    client.force_login(auditor("ada", everything=True))
    report = client.get(f"/audit/instances/{approval.pk}/report/")
    assert report.status_code == 200
    text = report.text
    assert "task.claimed" in text and "sam" in text and "dueDate" in text
    assert "Export digest" in text and "<script" not in text
    assert AuditEvent.objects.filter(event_type="audit.exported", actor_id="ada").exists()


def test_an_auditor_cannot_act_on_tasks(client, two_processes):
    approval, _ = two_processes
    user = auditor("ada", everything=True)
    assert not user.has_perm("bpmn_engine.change_usertask")
    client.force_login(user)
    assert client.post(f"/audit/instances/{approval.pk}/").status_code == 405


def test_granting_and_revoking_access_is_recorded_and_takes_effect(client, two_processes, users):
    approval, _ = two_processes
    admin = User.objects.create_superuser("root", password="x")
    nora = auditor("nora")
    grant_audit_access(user=admin, grantee=nora, definition_id=approval.definition_id)
    client.force_login(nora)
    assert client.get(f"/audit/instances/{approval.pk}/").status_code == 200
    revoke_audit_access(user=admin, grantee=nora, definition_id=approval.definition_id)
    assert client.get(f"/audit/instances/{approval.pk}/").status_code == 404
    granted, revoked = AuditEvent.objects.filter(event_type__startswith="permission.").order_by(
        "id"
    )
    assert (granted.event_type, granted.actor_id, granted.stream) == (
        "permission.granted",
        "root",
        "system",
    )
    assert json.loads(granted.data)["grantee"] == "nora"
    assert revoked.event_type == "permission.revoked"
