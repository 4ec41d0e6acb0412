"""Zeebe ``ioMapping``: nested targets and static sources, as Zeebe runs them (parsed XML)."""

from __future__ import annotations

from bpmn_engine.bpmn import parse_bpmn
from bpmn_engine.runtime import UserTaskCreated
from tests.runtime.harness import Driver

HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">'
    '<process id="p" isExecutable="true"><startEvent id="start"/>'
)
TAIL = (
    '<endEvent id="end"/><sequenceFlow id="f1" sourceRef="start" targetRef="t"/>'
    '<sequenceFlow id="f2" sourceRef="t" targetRef="end"/></process></definitions>'
)


def _task(*mappings: str, vendor: str = "zeebe") -> Driver:
    if vendor == "zeebe":
        io = f"<zeebe:ioMapping>{''.join(mappings)}</zeebe:ioMapping>"
    else:
        io = f"<camunda:inputOutput>{''.join(mappings)}</camunda:inputOutput>"
    task = f'<userTask id="t"><extensionElements>{io}</extensionElements></userTask>'
    return Driver(parse_bpmn(f"{HEAD}{task}{TAIL}"))


def _local(d: Driver) -> dict:
    return d.state.scopes[d.of(UserTaskCreated)[0].scope_id].variables


def test_zeebe_input_nested_targets_build_a_local_context_with_intermediate_levels() -> None:
    d = _task(
        '<zeebe:input source="=price" target="order.total"/>',
        '<zeebe:input source="=2" target="order.items.count"/>',
    )
    d.start(price=5, order={"id": "o-1"})
    assert _local(d) == {"order": {"total": 5, "items": {"count": 2}}}
    assert d.variables["order"] == {"id": "o-1"}  # the outer variable is untouched


def test_zeebe_output_nested_target_merges_into_a_copy_of_the_existing_context() -> None:
    d = _task(
        '<zeebe:output source="=sum" target="order.total"/>',
        '<zeebe:output source="=true" target="order.flags.paid"/>',
    )
    order = {"id": "o-1", "flags": {"gift": True}}
    d.start(order=order)
    d.complete("t", sum=9)
    assert d.variables["order"] == {"id": "o-1", "total": 9, "flags": {"gift": True, "paid": True}}
    assert order == {"id": "o-1", "flags": {"gift": True}}  # written as a copy


def test_zeebe_output_nested_target_replaces_a_value_that_is_not_a_context() -> None:
    d = _task('<zeebe:output source="=sum" target="order.total"/>')
    d.start(order="pending")
    d.complete("t", sum=9)
    assert d.variables["order"] == {"total": 9}


def test_zeebe_output_nested_target_creates_a_missing_variable() -> None:
    d = _task('<zeebe:output source="=sum" target="invoice.lines.total"/>')
    d.start()
    d.complete("t", sum=3)
    assert d.variables["invoice"] == {"lines": {"total": 3}}


def test_zeebe_source_without_equals_sign_is_a_static_string() -> None:
    d = _task(
        '<zeebe:input source="gold" target="tier"/>',
        '<zeebe:input source="1" target="count"/>',
        '<zeebe:input source="price * 2" target="text"/>',
        '<zeebe:input source="${price}" target="juel"/>',
        '<zeebe:input source="= price * 2" target="total"/>',
    )
    d.start(price=5)
    assert _local(d) == {
        "tier": "gold",
        "count": "1",
        "text": "price * 2",
        "juel": "${price}",
        "total": 10,
    }


def test_camunda_parameter_names_with_dots_stay_plain_names() -> None:
    d = _task(
        '<camunda:inputParameter name="order.total">${price}</camunda:inputParameter>',
        vendor="camunda",
    )
    d.start(price=5)
    assert _local(d) == {"order.total": 5}
