"""Property tests: arbitrary text only ever raises ExpressionError, and generated
arithmetic agrees with an independently computed reference."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpmn_engine.expressions import (
    ExpressionError,
    compile_expression,
    compile_script,
)

VARS: dict[str, Any] = {
    "a": 1,
    "b": 2.5,
    "s": "text",
    "l": [1, 2, 3],
    "d": {"k": [1, {"x": None}]},
    "n": None,
    "t": True,
    "item": 4,
}
FRAGMENTS = [
    "a",
    "b",
    "s",
    "l",
    "d",
    "n",
    "t",
    "k",
    "x",
    "item",
    "1",
    "0",
    "2.5",
    "'q'",
    '"q"',
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "==",
    "!=",
    "<",
    ">=",
    "=",
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "then",
    "between",
    "..",
    "?",
    ":",
    ".",
    ",",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "${",
    "#{",
    "empty",
    "div",
    "eq",
    "len(",
    "sum(",
    "max(",
    "count(",
    "string length(",
    "upper()",
    ".size()",
    ".get(",
    "date(",
    "duration(",
    "\n",
    ";",
    " ",
    "True",
    "null",
    "lambda",
    "__class__",
    "9**9**9",
    "+=",
]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _try_everything(text: str) -> None:
    for dialect in (None, "plain", "juel", "feel"):
        with suppress(ExpressionError):
            compile_expression(text, dialect=dialect).evaluate(VARS)
        with suppress(ExpressionError):
            compile_script(text, dialect=dialect).run(VARS)


@SETTINGS
@given(st.text(max_size=60))
def test_random_text_only_raises_expression_error(text: str) -> None:
    _try_everything(text)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25))
def test_random_token_soup_only_raises_expression_error(parts: list[str]) -> None:
    _try_everything(" ".join(parts))
    _try_everything("".join(parts))


# -- arithmetic against a reference ---------------------------------------------------------
Tree = int | tuple[str, Any, Any]

_trees = st.recursive(
    st.integers(min_value=0, max_value=50),
    lambda sub: st.tuples(st.sampled_from(["+", "-", "*", "neg"]), sub, sub),
    max_leaves=20,
)


def _render(tree: Tree) -> str:
    if isinstance(tree, int):
        return str(tree)
    op, left, right = tree
    if op == "neg":
        return f"(-{_render(left)})"
    return f"({_render(left)} {op} {_render(right)})"


def _reference(tree: Tree) -> int:
    if isinstance(tree, int):
        return tree
    op, left, right = tree
    if op == "neg":
        return 0 - _reference(left)
    a, b = _reference(left), _reference(right)
    return {"+": a + b, "-": a - b, "*": a * b}[op]


@SETTINGS
@given(_trees)
def test_generated_arithmetic_matches_reference_in_every_dialect(tree: Tree) -> None:
    text, expected = _render(tree), _reference(tree)
    assert compile_expression(text).evaluate({}) == expected
    assert compile_expression("${" + text + "}").evaluate({}) == expected
    assert compile_expression("= " + text).evaluate({}) == expected


@SETTINGS
@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_unparenthesised_precedence_matches_reference(a: int, b: int, c: int) -> None:
    variables = {"a": a, "b": b, "c": c}
    assert compile_expression("a + b * c - a").evaluate(variables) == a + b * c - a
    assert compile_expression("a - b - c").evaluate(variables) == (a - b) - c
    assert compile_expression("a < b == (b > a)").evaluate(variables) == (a < b and b == (b > a))
    assert compile_expression("${a * b + c > a}").evaluate(variables) == (a * b + c > a)
