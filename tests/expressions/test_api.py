"""Public API: dialect detection, caching, variable names, is_expression, error shapes."""

from __future__ import annotations

import pytest

from bpmn_engine.expressions import (
    Expression,
    ExpressionError,
    ExpressionSyntaxError,
    compile_expression,
    evaluate,
    is_expression,
)


@pytest.mark.parametrize(
    ("text", "dialect"),
    [
        ("${a}", "juel"),
        ("#{a}", "juel"),
        ("Hi ${a}", "juel"),
        ("= a", "feel"),
        ("  =a", "feel"),
        ("a < 1", "plain"),
        ("sales", "plain"),
    ],
)
def test_dialect_auto_detection(text: str, dialect: str) -> None:
    assert compile_expression(text).dialect == dialect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${initiator}", True),
        ("#{x}", True),
        ("Dear ${name}", True),
        ("=x", True),
        ("demo", False),
        ("sales", False),
        ("counter < 10", False),
        ("$ {x}", False),
        ("", False),
        (None, False),
    ],
)
def test_is_expression(text: object, expected: bool) -> None:
    assert is_expression(text) is expected


def test_compile_is_cached_per_text_and_dialect() -> None:
    first = compile_expression("a + 1")
    assert compile_expression("a + 1") is first
    assert compile_expression("a + 1", dialect="feel") is not first


def test_expression_attributes() -> None:
    expr = compile_expression("${order.total > limit and empty notes}")
    assert isinstance(expr, Expression)
    assert expr.source == "${order.total > limit and empty notes}"
    assert expr.dialect == "juel"
    assert expr.variable_names == frozenset({"order", "limit", "notes"})


def test_unknown_dialect_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="unknown dialect"):
        compile_expression("a", dialect="groovy")


def test_non_string_text_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        compile_expression(42)  # type: ignore[arg-type]


def test_error_message_shape_and_attributes() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("${amount > 10}", {"amout": 5})
    err = info.value
    assert err.expression == "${amount > 10}"
    assert err.reason == "unknown variable 'amount'"
    assert str(err) == "Expected to evaluate \"${amount > 10}\", but unknown variable 'amount'"


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("a +", 4, "unexpected end of expression"),
        ("a + )", 5, "unmatched ')'"),
        ("(a", 3, "expected ')'"),
        ("a = 1", 3, "use '=='"),
        ("'abc", 1, "unterminated string"),
        ("a $ b", 3, "unexpected character"),
        ("${a +}", 6, "unexpected"),
        ("${a", 3, "missing '}'"),
        ("foo(1)", 1, "unknown function 'foo'"),
        ("len(1, 2)", 1, "takes 1 argument"),
        ("${}", 3, "empty expression"),
        ("", 1, "empty expression"),
    ],
)
def test_syntax_errors_report_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        compile_expression(text)
    assert info.value.column == column
    assert fragment in info.value.reason
    assert f"column {column}" in str(info.value)


@pytest.mark.parametrize(
    ("text", "variables", "reason"),
    [
        ("1 / 0", {}, "division by zero"),
        ("a % 0", {"a": 1}, "division by zero"),
        ("${1 / 0}", {}, "division by zero"),
        ("= 1 / 0", {}, "division by zero"),
        ("s < 1", {"s": "x"}, "'<' not supported between str and int"),
        ("int('x1')", {}, "invalid integer 'x1'"),
        ("len(5)", {}, "len() expects a string, list or mapping, got int"),
        ("x.y", {"x": 5}, "cannot read property 'y' of int"),
        ("x[0]", {"x": 5}, "cannot index int"),
        ("x.upper()", {"x": None}, "cannot call 'upper()' on null"),
        ("x.upper()", {"x": 5}, "unknown method 'upper' for int"),
        ("min([])", {}, "min() of an empty list"),
    ],
)
def test_runtime_error_reasons(text: str, variables: dict, reason: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(text, variables)
    assert info.value.reason == reason


def test_variables_none_means_no_variables() -> None:
    assert evaluate("1 + 1", None) == 2


def test_expression_does_not_mutate_variables() -> None:
    variables = {"l": [3, 1, 2], "d": {"a": 1}}
    evaluate("sorted(l) + [4]", variables)
    evaluate("= append(l, 9)", variables)
    assert variables == {"l": [3, 1, 2], "d": {"a": 1}}
