"""Timer and signal start events start new instances; new versions replace old ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_engine.models import ProcessInstance, Timer
from bpmn_engine.services import (
    broadcast_signal,
    correlate_message,
    deploy_definition,
    fire_due_timers,
)
from tests.services.conftest import FIXTURES, T0

pytestmark = pytest.mark.django_db


def test_a_timer_start_cycle_starts_an_instance_per_firing_and_then_stops():
    report = (FIXTURES / "start_events" / "hourly_report.bpmn").read_bytes()
    deploy_definition(name="report", resources={"report.bpmn": report}, now=T0)
    assert Timer.objects.get(instance__isnull=True).due_at == T0 + timedelta(hours=1)
    assert fire_due_timers(now=T0 + timedelta(minutes=30)) == 0
    assert fire_due_timers(now=T0 + timedelta(hours=1)) == 1
    assert fire_due_timers(now=T0 + timedelta(hours=2)) == 1
    assert fire_due_timers(now=T0 + timedelta(hours=5)) == 0
    assert ProcessInstance.objects.filter(definition__key="hourly_report").count() == 2
    assert all(i.user_tasks.get().node_id == "Read" for i in ProcessInstance.objects.all())


def test_a_new_version_replaces_the_start_timer_of_the_old_one():
    report = (FIXTURES / "start_events" / "hourly_report.bpmn").read_bytes()
    deploy_definition(name="report", resources={"report.bpmn": report}, now=T0)
    changed = report.replace(b"R2/PT1H", b"R1/PT2H")
    deploy_definition(name="report", resources={"report.bpmn": changed}, now=T0)
    scheduled = Timer.objects.filter(state="scheduled")
    assert [(t.definition.version, t.due_at) for t in scheduled] == [(2, T0 + timedelta(hours=2))]


def test_a_signal_start_event_starts_an_instance_per_broadcast():
    recall = (FIXTURES / "start_events" / "recall.bpmn").read_bytes()
    deploy_definition(name="recall", resources={"recall.bpmn": recall})
    assert broadcast_signal(signal_name="ProductRecall", variables={"product": "kettle"}) == 1
    assert broadcast_signal(signal_name="ProductRecall", variables={"product": "toaster"}) == 1
    products = sorted(
        r.variable_rows.get(name="product").value
        for r in ProcessInstance.objects.filter(definition__key="recall")
    )
    assert products == ["kettle", "toaster"]


UNNAMED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <{kind} id="{ref}"/>
  <process id="{process}" isExecutable="true">
    <startEvent id="Start"><{kind}EventDefinition {kind}Ref="{ref}"/></startEvent>
    <sequenceFlow id="f1" sourceRef="Start" targetRef="Work"/>
    <userTask id="Work"/>
  </process>
</definitions>"""


def _unnamed(kind: str, ref: str, process: str) -> dict[str, bytes]:
    xml = UNNAMED.format(kind=kind, ref=ref, process=process)
    return {f"{process}.bpmn": xml.encode()}


def test_a_signal_start_event_of_an_unnamed_signal_listens_under_the_signal_id():
    deploy_definition(name="unnamed", resources=_unnamed("signal", "Sig1", "on_signal"))
    assert broadcast_signal(signal_name="Sig1") == 1
    assert ProcessInstance.objects.get(definition__key="on_signal").user_tasks.count() == 1


def test_a_message_start_event_of_an_unnamed_message_listens_under_the_message_id():
    deploy_definition(name="unnamed", resources=_unnamed("message", "Msg1", "on_message"))
    [started] = correlate_message(message_name="Msg1")
    assert started.kind == "start"
    assert started.instance.definition.key == "on_message"
