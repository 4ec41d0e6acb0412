"""The validator warns about cycles and loops that never wait (with element id and line)
and refuses texts longer than the columns that store them."""

from __future__ import annotations

import pytest

from bpmn_engine.bpmn import check_bpmn

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">\n'
    '<process id="p" isExecutable="true">\n'
)
TAIL = "\n</process>\n</definitions>\n"


def doc(*lines: str) -> str:
    return HEAD + "\n".join(lines) + TAIL


def issues(text: str, code: str) -> list[tuple[str | None, int | None, str]]:
    return [(i.element_id, i.line, i.severity) for i in check_bpmn(text).issues if i.code == code]


def flow(n: int, a: str, b: str) -> str:
    return f'<sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>'


def test_a_cycle_of_manual_tasks_is_warned_about_with_its_first_element_and_line():
    text = doc(
        '<startEvent id="start"/>',
        '<manualTask id="a"/>',
        '<manualTask id="b"/>',
        flow(1, "start", "a"),
        flow(2, "a", "b"),
        flow(3, "b", "a"),
    )
    assert issues(text, "wait-free-cycle") == [("a", 5, "warning")]
    assert check_bpmn(text).ok  # a warning does not block deployment


def test_a_cycle_through_a_user_task_is_not_warned_about():
    text = doc(
        '<startEvent id="start"/>',
        '<manualTask id="a"/>',
        '<userTask id="b"/>',
        flow(1, "start", "a"),
        flow(2, "a", "b"),
        flow(3, "b", "a"),
    )
    assert issues(text, "wait-free-cycle") == []


def test_a_self_loop_through_a_gateway_is_warned_about():
    text = doc(
        '<startEvent id="start"/>',
        '<exclusiveGateway id="again"/>',
        flow(1, "start", "again"),
        flow(2, "again", "again"),
    )
    assert issues(text, "wait-free-cycle") == [("again", 5, "warning")]


def test_a_standard_loop_that_never_ends_is_warned_about():
    text = doc(
        '<startEvent id="start"/>',
        '<manualTask id="again">',
        '<standardLoopCharacteristics loopMaximum="1000000000">',
        "<loopCondition>${true}</loopCondition>",
        "</standardLoopCharacteristics>",
        "</manualTask>",
        flow(1, "start", "again"),
    )
    assert issues(text, "unbounded-loop") == [("again", 5, "warning")]


def test_a_bounded_or_waiting_standard_loop_is_not_warned_about():
    bounded = doc(
        '<startEvent id="start"/>',
        '<manualTask id="again"><standardLoopCharacteristics loopMaximum="3">',
        "<loopCondition>${true}</loopCondition></standardLoopCharacteristics></manualTask>",
        flow(1, "start", "again"),
    )
    waiting = bounded.replace("manualTask", "userTask").replace('loopMaximum="3"', "")
    assert issues(bounded, "unbounded-loop") == []
    assert issues(waiting, "unbounded-loop") == []


def test_a_huge_multi_instance_cardinality_is_warned_about():
    text = doc(
        '<startEvent id="start"/>',
        '<userTask id="many"><multiInstanceLoopCharacteristics>',
        "<loopCardinality>10000000</loopCardinality>",
        "</multiInstanceLoopCharacteristics></userTask>",
        flow(1, "start", "many"),
    )
    assert issues(text, "unbounded-loop") == [("many", 5, "warning")]


def test_ids_names_and_topics_over_255_characters_are_refused():
    long = "x" * 256
    for node in (
        f'<task id="{long}"/>',
        f'<task id="t" name="{long}"/>',
        f'<serviceTask id="t" camunda:type="external" camunda:topic="{long}"/>',
    ):
        found = issues(doc('<startEvent id="start"/>', node), "text-too-long")
        assert [(line, severity) for _, line, severity in found] == [(5, "error")]


@pytest.mark.parametrize(
    "node",
    [
        f'<userTask id="t" camunda:assignee="{"u" * 151}"/>',
        f'<userTask id="t" camunda:candidateUsers="sally, {"u" * 151}"/>',
        f'<userTask id="t" camunda:candidateGroups="{"g" * 151}"/>',
        f'<userTask id="t" camunda:formKey="{"f" * 256}"/>',
        f'<serviceTask id="t" camunda:type="external" camunda:topic="a" '
        f'camunda:resultVariable="{"r" * 256}"/>',
    ],
    ids=["assignee", "candidate-user", "candidate-group", "form-key", "result-variable"],
)
def test_assignments_form_keys_and_result_variables_longer_than_their_columns_are_refused(node):
    found = issues(doc('<startEvent id="start"/>', node), "text-too-long")
    assert [(owner, severity) for owner, _, severity in found] == [("t", "error")]


def test_an_assignee_expression_is_not_measured_as_written():
    node = '<userTask id="t" camunda:assignee="${' + "a" * 200 + '}"/>'
    assert issues(doc('<startEvent id="start"/>', node), "text-too-long") == []


def test_a_timer_expression_over_1024_characters_is_refused():
    cron = "0 0 * * * " + "?" * 1100
    text = doc(
        '<startEvent id="start"/>',
        '<intermediateCatchEvent id="wait">',
        f"<timerEventDefinition><timeCycle>{cron}</timeCycle></timerEventDefinition>",
        "</intermediateCatchEvent>",
        flow(1, "start", "wait"),
    )
    assert [severity for *_, severity in issues(text, "text-too-long")] == ["error"]
