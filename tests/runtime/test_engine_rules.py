"""Engine rules that the deployment and event services only persist: which start events a
process opens, how names resolve, when a cycle timer fires next; and the wait registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bpmn_engine.bpmn.parser import parse_bpmn
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.event_names import message_name, signal_name
from bpmn_engine.runtime.kinds import SubscriptionKind, WaitKind
from bpmn_engine.runtime.start_events import start_events
from bpmn_engine.runtime.timer_rules import next_occurrence
from bpmn_engine.runtime.waiting import WAIT_CLOSINGS

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

STARTS = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <message id="Msg1"/>
  <message id="Msg2" name="order placed"/>
  <signal id="Sig1"/>
  <process id="p" isExecutable="true">
    <startEvent id="ByMessage"><messageEventDefinition messageRef="Msg1"/></startEvent>
    <startEvent id="ByNamedMessage"><messageEventDefinition messageRef="Msg2"/></startEvent>
    <startEvent id="BySignal"><signalEventDefinition signalRef="Sig1"/></startEvent>
    <startEvent id="Hourly"><timerEventDefinition>
      <timeCycle>R2/PT1H</timeCycle></timerEventDefinition></startEvent>
    <startEvent id="ByExpression"><timerEventDefinition>
      <timeDuration>${later}</timeDuration></timerEventDefinition></startEvent>
    <sequenceFlow id="f1" sourceRef="ByMessage" targetRef="End"/>
    <sequenceFlow id="f2" sourceRef="ByNamedMessage" targetRef="End"/>
    <sequenceFlow id="f3" sourceRef="BySignal" targetRef="End"/>
    <sequenceFlow id="f4" sourceRef="Hourly" targetRef="End"/>
    <sequenceFlow id="f5" sourceRef="ByExpression" targetRef="End"/>
    <endEvent id="End"/>
  </process>
</definitions>"""


def test_start_events_name_unnamed_messages_and_signals_by_their_id():
    definitions = parse_bpmn(STARTS)
    opened = start_events(definitions.process("p"), definitions, T0)
    assert [(s.node_id, s.kind, s.event_name) for s in opened.subscriptions] == [
        ("ByMessage", SubscriptionKind.MESSAGE, "Msg1"),
        ("ByNamedMessage", SubscriptionKind.MESSAGE, "order placed"),
        ("BySignal", SubscriptionKind.SIGNAL, "Sig1"),
    ]


def test_start_events_arm_literal_timers_only():
    definitions = parse_bpmn(STARTS)
    [timer] = start_events(definitions.process("p"), definitions, T0).timers
    assert timer.node_id == "Hourly"
    assert timer.occurrence.due_at == T0 + timedelta(hours=1)
    assert (timer.occurrence.fired_count, timer.occurrence.repetitions_left) == (0, 2)


def test_names_fall_back_to_the_reference_when_nothing_is_declared():
    definitions = parse_bpmn(STARTS)
    assert message_name(definitions, "Missing") == "Missing"
    assert signal_name(None, "Sig9") == "Sig9"
    assert message_name(definitions, None) == ""


def test_a_cycle_re_arms_until_its_repetitions_are_used_up():
    first = next_occurrence("cycle", "R2/PT1H", T0, 0)
    assert first is not None
    assert (first.due_at, first.fired_count, first.repetitions_left) == (
        T0 + timedelta(hours=1),
        1,
        1,
    )
    assert next_occurrence("cycle", "R2/PT1H", first.due_at, 1) is None
    assert next_occurrence("duration", "PT1H", T0, 0) is None


def test_every_wait_kind_has_its_closing_effects():
    assert set(WAIT_CLOSINGS) == set(WaitKind)
    for on_fire, on_cancel in WAIT_CLOSINGS.values():
        assert issubclass(on_cancel, fx.WaitClosed)
        assert on_fire is None or issubclass(on_fire, fx.WaitClosed)
