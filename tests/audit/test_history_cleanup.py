"""History time-to-live removes old history, never audit events; none without a TTL."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bpmn_engine.models import ActivityHistory, AuditEvent, ProcessInstance
from bpmn_engine.services import deploy_definition, start_instance
from tests.audit.test_tamper_evidence import verify

pytestmark = pytest.mark.django_db


def straight_through(process_id: str, ttl: str | None) -> bytes:
    attribute = f' camunda:historyTimeToLive="{ttl}"' if ttl else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="{process_id}" isExecutable="true"{attribute}>
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.fixture
def ended(db):
    deploy_definition(name="kept", resources={"kept.bpmn": straight_through("kept", "P30D")})
    deploy_definition(name="forever", resources={"f.bpmn": straight_through("forever", None)})
    now = timezone.now()
    return {
        "old": start_instance(definition_key="kept", now=now - timedelta(days=40)),
        "recent": start_instance(definition_key="kept", now=now - timedelta(days=10)),
        "no_ttl": start_instance(definition_key="forever", now=now - timedelta(days=400)),
    }


def test_only_instances_past_their_time_to_live_lose_their_history(ended, settings):
    old, recent, no_ttl = ended["old"], ended["recent"], ended["no_ttl"]
    audit_before = set(AuditEvent.objects.values_list("id", flat=True))
    out = StringIO()
    call_command("cleanup_history", stdout=out)
    assert not ProcessInstance.objects.filter(pk=old.pk).exists()
    assert not ActivityHistory.objects.filter(instance_id=old.pk).exists()
    assert ProcessInstance.objects.filter(pk__in=[recent.pk, no_ttl.pk]).count() == 2
    assert audit_before <= set(AuditEvent.objects.values_list("id", flat=True))
    cleaned = AuditEvent.objects.get(event_type="history.cleaned")
    assert cleaned.instance_id == old.pk
    assert verify() == "OK"


def test_a_dry_run_removes_nothing(ended):
    call_command("cleanup_history", "--dry-run", stdout=StringIO())
    assert ProcessInstance.objects.count() == 3
    assert not AuditEvent.objects.filter(event_type="history.cleaned").exists()


def test_a_default_time_to_live_is_opt_in(ended):
    call_command("cleanup_history", "--default-ttl-days", "365", stdout=StringIO())
    assert not ProcessInstance.objects.filter(pk=ended["no_ttl"].pk).exists()
    assert ProcessInstance.objects.filter(pk=ended["recent"].pk).exists()
