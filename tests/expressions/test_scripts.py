"""Script tasks: statements, assignment forms, copy-on-write and returned variables."""

from __future__ import annotations

import copy

import pytest

from bpmn_engine.expressions import (
    ExpressionError,
    ExpressionSyntaxError,
    compile_script,
    run_script,
)


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("counter = 1", {}, {"counter": 1}),
        ("counter = counter + 1", {"counter": 1}, {"counter": 2}),
        ("notified = True", {}, {"notified": True}),
        ("r1 = 1", {"other": 5}, {"r1": 1}),
        ("a = 1; b = a + 1", {}, {"a": 1, "b": 2}),
        ("a = 1\nb = a * 10\n", {}, {"a": 1, "b": 10}),
        ("total += 5", {"total": 10}, {"total": 15}),
        ("total -= 5", {"total": 10}, {"total": 5}),
        ("total *= 3", {"total": 10}, {"total": 30}),
        ("total /= 4", {"total": 10}, {"total": 2.5}),
        ("x = [\n  1,\n  2\n]", {}, {"x": [1, 2]}),
        ("len([1, 2])", {}, {}),
        ("if n > 3: big = True", {"n": 5}, {"big": True}),
        ("if n > 3: big = True", {"n": 1}, {}),
        ("", {}, {}),
        ("# only a comment\n", {}, {}),
    ],
)
def test_script_statements(text: str, variables: dict, expected: dict) -> None:
    assert run_script(text, variables) == expected


def test_script_returns_only_assigned_variables() -> None:
    result = run_script("b = a + 1", {"a": 1, "c": 3})
    assert result == {"b": 2}


def test_script_nested_assignment_copies_on_write() -> None:
    variables = {"order": {"customer": {"name": "Ann"}, "lines": [1, 2]}, "k": "tag"}
    snapshot = copy.deepcopy(variables)
    result = run_script(
        "order.customer.name = 'Bob'; order['status'] = 'new'; order.lines[0] = 9;order[k] = 1",
        variables,
    )
    assert variables == snapshot
    assert result == {
        "order": {"customer": {"name": "Bob"}, "lines": [9, 2], "status": "new", "tag": 1}
    }
    assert result["order"]["lines"] is not variables["order"]["lines"]


def test_script_nested_assignment_creates_missing_mappings() -> None:
    assert run_script("cfg.a.b = 1", {}) == {"cfg": {"a": {"b": 1}}}


def test_script_nested_augmented_assignment() -> None:
    variables = {"stats": {"count": 1}}
    assert run_script("stats.count += 1", variables) == {"stats": {"count": 2}}
    assert variables == {"stats": {"count": 1}}


def test_script_later_statements_see_earlier_assignments() -> None:
    assert run_script("x = 2\ny = x ** 2\nx = y + x", {"x": 100}) == {"x": 6, "y": 4}


def test_script_feel_dialect_uses_equals_for_assignment() -> None:
    result = run_script("total = sum(l); ok = total = 6", {"l": [1, 2, 3]}, dialect="feel")
    assert result == {"total": 6, "ok": True}


def test_script_juel_dialect() -> None:
    assert run_script("x = a gt 1 && b", {"a": 2, "b": True}, dialect="juel") == {"x": True}


def test_script_reports_read_and_assigned_names() -> None:
    script = compile_script("y = x + 1; z = y * w")
    assert script.variable_names == frozenset({"x", "w"})
    assert script.assigned_names == frozenset({"y", "z"})


@pytest.mark.parametrize(
    "text",
    [
        "import os",
        "from os import path",
        "def f(): pass",
        "while True: x = 1",
        "for i in [1]: x = i",
        "lambda: 1",
        "x = [i for i in l]",
        "x := 1",
        "class A: pass",
        "del x",
        "x = 1 y = 2",
    ],
)
def test_script_rejects_unsupported_statements(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        compile_script(text)


def test_script_runtime_error_names_the_script() -> None:
    with pytest.raises(ExpressionError) as info:
        run_script("a = 1\nb = missing + 1", {})
    assert info.value.reason == "unknown variable 'missing'"
    assert info.value.expression == "a = 1\nb = missing + 1"


def test_script_syntax_error_reports_line_and_column() -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        run_script("a = 1\nb = (2 +", {})
    assert info.value.line == 2
    assert "line 2" in info.value.reason


def test_script_augmented_assignment_of_undefined_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="unknown variable 'total'"):
        run_script("total += 1", {})
