"""One test per validation rule: each names the behaviour it pins down."""

from __future__ import annotations

import pytest

from bpmn_engine.bpmn import check_bpmn, parse_bpmn, validate_definitions
from tests.bpmn.helpers import diagram, linear


def _errors(text: str) -> set[tuple[str, str | None]]:
    return {(i.code, i.element_id) for i in check_bpmn(text).errors}


def _warnings(text: str) -> set[tuple[str, str | None]]:
    return {(i.code, i.element_id) for i in check_bpmn(text).warnings}


def _gateway(kind: str, second_flow: str, default: str = "") -> str:
    return diagram(
        f"""<startEvent id="start"/><sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>
        <{kind} id="gw" {default}/>
        <sequenceFlow id="f1" sourceRef="gw" targetRef="end">
          <conditionExpression>${{x &gt; 1}}</conditionExpression></sequenceFlow>
        {second_flow}<endEvent id="end"/>"""
    )


def test_linear_process_is_valid() -> None:
    report = check_bpmn(linear())
    assert report.ok and report.issues == ()


def test_dangling_target_ref_is_an_error_with_line_and_message() -> None:
    report = check_bpmn(linear().replace('targetRef="end"', 'targetRef="Task_9"'))
    (issue,) = [i for i in report.errors if i.code == "dangling-target-ref"]
    assert issue.element_id == "f2" and issue.line == 7
    assert issue.message == (
        "Expected sequence flow 'f2' to end at an element, but 'Task_9' does not exist"
    )


def test_dangling_source_ref_is_an_error() -> None:
    assert ("dangling-source-ref", "f1") in _errors(
        linear().replace('sourceRef="start"', 'sourceRef="x"')
    )


def test_process_without_start_event_is_an_error() -> None:
    text = diagram(
        '<task id="t"/><sequenceFlow id="f" sourceRef="t" targetRef="e"/><endEvent id="e"/>'
    )
    assert ("no-start-event", "p") in _errors(text)


def test_non_executable_process_gets_only_structural_errors() -> None:
    text = diagram('<task id="t"/>', executable="false")
    assert check_bpmn(text).ok
    broken = diagram(
        '<task id="t"/><sequenceFlow id="f" sourceRef="t" targetRef="nope"/>', executable="false"
    )
    assert _errors(broken) == {("dangling-target-ref", "f")}


def test_node_without_incoming_flow_is_reported_unreachable() -> None:
    text = linear().replace("</process>", '<task id="lonely"/></process>')
    assert ("unreachable", "lonely") in _warnings(text)
    assert check_bpmn(text).ok


def test_gateway_without_outgoing_flow_is_an_error() -> None:
    text = diagram(
        '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="g"/>'
        '<parallelGateway id="g"/>'
    )
    assert ("gateway-without-outgoing", "g") in _errors(text)


def test_exclusive_gateway_flow_without_condition_is_an_error() -> None:
    text = _gateway("exclusiveGateway", '<sequenceFlow id="f2" sourceRef="gw" targetRef="end"/>')
    assert ("missing-condition", "f2") in _errors(text)


def test_inclusive_gateway_flow_without_condition_is_an_error() -> None:
    text = _gateway("inclusiveGateway", '<sequenceFlow id="f2" sourceRef="gw" targetRef="end"/>')
    assert ("missing-condition", "f2") in _errors(text)


def test_default_flow_needs_no_condition() -> None:
    text = _gateway(
        "exclusiveGateway", '<sequenceFlow id="f2" sourceRef="gw" targetRef="end"/>', 'default="f2"'
    )
    assert _errors(text) == set()


def test_default_flow_must_leave_its_gateway() -> None:
    text = _gateway(
        "exclusiveGateway", '<sequenceFlow id="f2" sourceRef="gw" targetRef="end"/>', 'default="f0"'
    )
    assert ("default-not-outgoing", "gw") in _errors(text)


def test_boundary_event_attached_to_missing_activity_is_an_error() -> None:
    text = linear().replace(
        "</process>",
        '<boundaryEvent id="b" attachedToRef="ghost">'
        "<timerEventDefinition><timeDuration>PT1M</timeDuration>"
        "</timerEventDefinition></boundaryEvent></process>",
    )
    assert ("dangling-attached-to-ref", "b") in _errors(text)


@pytest.mark.parametrize(
    ("definition", "code"),
    [
        ('<messageEventDefinition messageRef="m9"/>', "unknown-message-ref"),
        ('<signalEventDefinition signalRef="s9"/>', "unknown-signal-ref"),
        ('<errorEventDefinition errorRef="e9"/>', "unknown-error-ref"),
        ('<escalationEventDefinition escalationRef="x9"/>', "unknown-escalation-ref"),
    ],
)
def test_event_definition_pointing_nowhere_is_an_error(definition: str, code: str) -> None:
    event = f'<intermediateThrowEvent id="t">{definition}</intermediateThrowEvent>'
    assert (code, "t") in _errors(linear(event))


@pytest.mark.parametrize(
    "text",
    ["PT10M", "2030-01-01T10:00:00Z", "R3/PT10M", "0 0 9 * * ?", "${delay}", "=duration", '"PT1S"'],
)
def test_valid_timer_texts_are_accepted(text: str) -> None:
    kind = (
        "timeCycle"
        if text.startswith(("R", "0 "))
        else ("timeDate" if text.startswith("2030") else "timeDuration")
    )
    event = (
        f'<intermediateCatchEvent id="t"><timerEventDefinition><{kind}>{text}</{kind}>'
        "</timerEventDefinition></intermediateCatchEvent>"
    )
    assert _errors(linear(event)) == set()


@pytest.mark.parametrize(
    ("kind", "text"),
    [("timeDuration", "10 minutes"), ("timeCycle", "R3/PTxM"), ("timeDate", "tomorrow")],
)
def test_timer_that_does_not_parse_is_an_error(kind: str, text: str) -> None:
    event = (
        f'<intermediateCatchEvent id="t"><timerEventDefinition><{kind}>{text}</{kind}>'
        "</timerEventDefinition></intermediateCatchEvent>"
    )
    (issue,) = [i for i in check_bpmn(linear(event)).errors]
    assert (issue.code, issue.element_id) == ("invalid-timer", "t")
    assert text in issue.message


def test_timer_without_definition_is_an_error() -> None:
    event = '<intermediateCatchEvent id="t"><timerEventDefinition/></intermediateCatchEvent>'
    assert ("timer-undefined", "t") in _errors(linear(event))


def test_condition_with_syntax_error_is_an_error() -> None:
    text = _gateway(
        "exclusiveGateway",
        '<sequenceFlow id="f2" sourceRef="gw" targetRef="end">'
        "<conditionExpression>${x &gt;}</conditionExpression></sequenceFlow>",
    )
    assert ("expression-syntax", "f2") in _errors(text)


@pytest.mark.parametrize("script_format", ["javascript", "groovy"])
def test_script_format_we_do_not_run_is_an_error(script_format: str) -> None:
    task = f'<scriptTask id="t" scriptFormat="{script_format}"><script>x</script></scriptTask>'
    (issue,) = check_bpmn(linear(task)).errors
    assert issue.code == "unsupported-script-format"
    assert "python, feel, juel, procession" in issue.message and script_format in issue.message


@pytest.mark.parametrize("script_format", ["python", "feel", "juel", "procession", None])
def test_script_formats_we_run_are_accepted(script_format: str | None) -> None:
    attr = f'scriptFormat="{script_format}"' if script_format else ""
    assert (
        _errors(linear(f'<scriptTask id="t" {attr}><script>x = 1</script></scriptTask>')) == set()
    )


def test_external_script_resource_is_an_error() -> None:
    task = '<scriptTask id="t" scriptFormat="python" camunda:resource="deployment://a.py"/>'
    assert ("external-script", "t") in _errors(linear(task))


def test_unsupported_script_in_non_executable_process_is_accepted() -> None:
    task = '<scriptTask id="t" scriptFormat="groovy"><script>x</script></scriptTask>'
    assert _errors(linear(task, executable="false")) == set()


def test_complex_gateway_is_parsed_but_not_executable_yet() -> None:
    text = linear('<complexGateway id="t"/>')
    assert ("not-executable-yet", "t") in _warnings(text)
    assert check_bpmn(text).ok


def test_flow_node_without_id_is_an_error() -> None:
    assert ("missing-id", None) in _errors(
        linear().replace('<endEvent id="end"/>', '<endEvent id="end"/><task/>')
    )


def test_flow_crossing_a_subprocess_boundary_is_an_error() -> None:
    body = """<startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="inner"/>
      <subProcess id="sub"><task id="inner"/></subProcess>"""
    assert ("flow-crosses-boundary", "f1") in _errors(diagram(body))


def test_cancel_end_event_outside_transaction_is_an_error() -> None:
    end = '<endEvent id="end"><cancelEventDefinition/></endEvent>'
    assert ("cancel-outside-transaction", "end") in _errors(
        linear().replace('<endEvent id="end"/>', end)
    )


def test_link_throw_without_catch_is_an_error() -> None:
    event = (
        '<intermediateThrowEvent id="t"><linkEventDefinition name="L"/></intermediateThrowEvent>'
    )
    assert ("unmatched-link", "t") in _errors(linear(event))


def test_standard_loop_without_condition_or_maximum_is_an_error() -> None:
    assert ("endless-loop", "t") in _errors(
        linear('<task id="t"><standardLoopCharacteristics/></task>')
    )


def test_empty_zeebe_job_type_is_an_error() -> None:
    task = (
        '<serviceTask id="t"><extensionElements><zeebe:taskDefinition type=""/>'
        "</extensionElements></serviceTask>"
    )
    assert ("empty-job-type", "t") in _errors(linear(task))


def test_unknown_bpmn_element_is_an_error_and_foreign_element_a_warning() -> None:
    text = linear().replace("</process>", '<bogus id="b"/><other:x xmlns:other="urn:x"/></process>')
    assert ("unknown-element", "b") in _errors(text)
    assert any(code == "foreign-element" for code, _ in _warnings(text))


def test_validate_definitions_reports_every_problem_at_once() -> None:
    text = diagram("""<task id="t"/><sequenceFlow id="f1" sourceRef="t" targetRef="x"/>
      <sequenceFlow id="f2" sourceRef="y" targetRef="t"/>""")
    codes = {i.code for i in validate_definitions(parse_bpmn(text)) if i.is_error}
    assert {"no-start-event", "dangling-target-ref", "dangling-source-ref"} <= codes


TWO_PLATFORMS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  xmlns:modeler="http://camunda.org/schema/modeler/1.0" {platform} id="d" targetNamespace="t">
  <process id="p" isExecutable="true">
    <startEvent id="s"/>
    <serviceTask id="Notify" camunda:type="external" camunda:topic="notify-customer">
      <extensionElements><zeebe:taskDefinition type="email"/></extensionElements>
    </serviceTask>
    <endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="Notify"/>
    <sequenceFlow id="f2" sourceRef="Notify" targetRef="e"/>
  </process>
</definitions>"""


@pytest.mark.parametrize(
    ("platform", "job_type"),
    [
        ('modeler:executionPlatform="Camunda Platform"', "notify-customer"),
        ('modeler:executionPlatform="Camunda Cloud"', "email"),
        ("", "email"),
    ],
    ids=["camunda-7", "zeebe", "unstated"],
)
def test_a_task_with_two_platforms_definitions_warns_and_the_execution_platform_decides(
    platform: str, job_type: str
) -> None:
    report = check_bpmn(TWO_PLATFORMS.format(platform=platform).encode())
    assert report.ok
    [issue] = [i for i in report.warnings if i.code == "two-platform-definitions"]
    assert issue.element_id == "Notify"
    task = report.definitions.process("p").node("Notify")
    assert task.job.type == job_type
