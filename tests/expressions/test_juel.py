"""JUEL dialect (Camunda 7): ${...}, #{...}, templates, EL operators and coercions."""

from __future__ import annotations

import pytest

from bpmn_engine.expressions import ExpressionError, compile_expression, evaluate

VARS = {
    "amount": 150,
    "approved": True,
    "name": "Ann",
    "s": " Hello ",
    "l": [1, 2, 3],
    "m": {"k": 1, "inner": {"deep": "x"}},
    "n": None,
    "e": "",
    "el": [],
    "em": {},
    "flag": "true",
    "num": "12",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${amount > 100}", True),
        ("#{amount > 100}", True),
        ("${amount gt 100 and approved}", True),
        ("${amount lt 100 or !approved}", False),
        ("${amount ge 150 && amount le 150}", True),
        ("${amount eq 150}", True),
        ("${amount ne 150}", False),
        ("${not approved}", False),
        ("${1 + 2 * 3}", 7),
        ("${(1 + 2) * 3}", 9),
        ("${7 / 2}", 3.5),
        ("${8 div 2}", 4.0),
        ("${7 % 4}", 3),
        ("${7 mod 4}", 3),
        ("${-amount}", -150),
        ("${amount > 100 ? 'big' : 'small'}", "big"),
        ("${amount > 1000 ? 'huge' : amount > 100 ? 'big' : 'small'}", "big"),
        ("${'1' + 2}", 3),
        ("${num * 2}", 24),
        ("${n + 1}", 1),
        ("${'a' + 'b'}", "ab"),
        ("${flag == true}", True),
        ("${amount == '150'}", True),
        ("${n == null}", True),
        ("${n < 1}", False),
        ("${\"double\" == 'double'}", True),
        ("  ${amount}  ", 150),
    ],
)
def test_juel_operators(text: str, expected: object) -> None:
    assert evaluate(text, VARS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${empty n}", True),
        ("${empty e}", True),
        ("${empty el}", True),
        ("${empty em}", True),
        ("${empty l}", False),
        ("${empty name}", False),
        ("${empty undefined}", True),
        ("${not empty l}", True),
    ],
)
def test_juel_empty_operator(text: str, expected: bool) -> None:
    assert evaluate(text, VARS) is expected


def test_juel_empty_operator_is_true_for_empty_list() -> None:
    assert evaluate("${empty items}", {"items": []}) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${m.k}", 1),
        ("${m.inner.deep}", "x"),
        ("${m['k']}", 1),
        ("${m.missing}", None),
        ("${l[0]}", 1),
        ("${l[10]}", None),
        ("${name.length()}", 3),
        ("${name.startsWith('A')}", True),
        ("${name.endsWith('n')}", True),
        ("${name.contains('nn')}", True),
        ("${name.toUpperCase()}", "ANN"),
        ("${name.toLowerCase()}", "ann"),
        ("${s.trim()}", "Hello"),
        ("${name.equals('Ann')}", True),
        ("${name.isEmpty()}", False),
        ("${l.size()}", 3),
        ("${l.contains(2)}", True),
        ("${m.containsKey('k')}", True),
        ("${name.substring(1)}", "nn"),
    ],
)
def test_juel_paths_and_whitelisted_methods(text: str, expected: object) -> None:
    assert evaluate(text, VARS) == expected


def test_juel_execution_get_variable_reads_a_variable() -> None:
    assert evaluate("${execution.getVariable('amount') > 100}", VARS) is True
    assert evaluate("${execution.getVariable('nope')}", VARS) is None
    assert evaluate("${execution.hasVariable('amount')}", VARS) is True
    expr = compile_expression("${execution.getVariable('amount')}")
    assert expr.variable_names == frozenset({"amount"})


def test_juel_execution_has_no_other_attributes() -> None:
    with pytest.raises(ExpressionError):
        evaluate("${execution.processInstanceId}", VARS)
    with pytest.raises(ExpressionError):
        evaluate("${execution.setVariable('a', 1)}", VARS)


def test_juel_composite_template_concatenates_strings() -> None:
    text = "Hello ${name}, you owe ${amount}"
    assert evaluate(text, VARS) == "Hello Ann, you owe 150"


def test_juel_template_renders_null_as_empty_and_booleans_lowercase() -> None:
    assert evaluate("[${n}|${approved}]", VARS) == "[|true]"


def test_juel_template_keeps_escaped_dollar_brace_literal() -> None:
    assert evaluate("cost \\${x} is ${amount}", VARS) == "cost ${x} is 150"


def test_juel_braces_inside_strings_do_not_end_the_expression() -> None:
    assert evaluate("${'}' + name}", VARS) == "}Ann"


def test_juel_single_expression_returns_raw_value_not_string() -> None:
    assert evaluate("${l}", VARS) == [1, 2, 3]


def test_juel_undefined_variable_is_an_error() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("${amount > 10}", {})
    assert str(info.value) == (
        "Expected to evaluate \"${amount > 10}\", but unknown variable 'amount'"
    )


def test_juel_explicit_dialect_accepts_bare_expression() -> None:
    assert evaluate("amount gt 100", VARS, dialect="juel") is True


def test_juel_non_numeric_string_in_arithmetic_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="cannot coerce 'x' to a number"):
        evaluate("${'x' * 2}", VARS)
