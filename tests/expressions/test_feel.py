"""FEEL dialect (Camunda 8): '=' prefix, null semantics, 1-based lists, built-ins."""

from __future__ import annotations

import pytest

from bpmn_engine.expressions import compile_expression, evaluate

VARS = {
    "amount": 150,
    "status": "ok",
    "l": [1, 2, 3, 4, 5],
    "n": None,
    "approved": True,
    "orders": [{"id": 1, "total": 5}, {"id": 2, "total": 20}, {"id": 3, "total": 30}],
    "ctx": {"a": {"b": 2}},
    "name": "Ann",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("= amount > 100", True),
        ("=amount = 150", True),
        ('= status = "ok"', True),
        ('= status != "ok"', False),
        ('= amount > 100 and status = "ok"', True),
        ("= amount < 100 or approved", True),
        ("= not(approved)", False),
        ("= 1 + 2 * 3", 7),
        ("= 2 ** 3", 8),
        ("= 10 / 4", 2.5),
        ("= 10 / 5", 2),
        ("= -amount", -150),
        ('= if amount > 100 then "big" else "small"', "big"),
        ("= amount in [100..200]", True),
        ("= amount in (150..200]", False),
        ("= amount in [1, 150]", True),
        ("= amount in > 100", True),
        ("= amount between 100 and 200", True),
        ("= amount between 1 and 2", False),
        ('= "a" + "b"', "ab"),
        ("= [1, 2]", [1, 2]),
        ('= {a: 1, "b c": 2}', {"a": 1, "b c": 2}),
        ("= ctx.a.b", 2),
        ("= ctx.missing.b", None),
    ],
)
def test_feel_operators(text: str, expected: object) -> None:
    assert evaluate(text, VARS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("= missing", None),
        ("= missing > 1", None),
        ("= n + 1", None),
        ('= "a" + 1', None),
        ('= 1 = "1"', None),
        ("= n = null", True),
        ("= true and n", None),
        ("= false and n", False),
        ("= true or n", True),
        ("= not(n)", None),
    ],
)
def test_feel_null_semantics(text: str, expected: object) -> None:
    assert evaluate(text, VARS) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("= l[1]", 1),
        ("= l[5]", 5),
        ("= l[-1]", 5),
        ("= l[0]", None),
        ("= l[9]", None),
        ("= l[item > 3]", [4, 5]),
        ("= l[item > 1][item < 4]", [2, 3]),
        ("= orders[total > 10]", [{"id": 2, "total": 20}, {"id": 3, "total": 30}]),
        ("= orders[item.total > 25].id", [3]),
        ("= orders.id", [1, 2, 3]),
        ("= orders[1].total", 5),
        ("= l[amount - 148]", 2),
        ("= count(orders[total > 10])", 2),
    ],
)
def test_feel_lists_are_one_based_and_filterable(text: str, expected: object) -> None:
    assert evaluate(text, VARS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("= string length(name)", 3),
        ("= upper case(name)", "ANN"),
        ("= lower case(name)", "ann"),
        ('= contains(name, "nn")', True),
        ('= starts with(name, "A")', True),
        ('= ends with(name, "x")', False),
        ('= substring("foobar", 3)', "obar"),
        ('= substring("foobar", 3, 2)', "ob"),
        ('= substring("foobar", -2)', "ar"),
        ("= count(l)", 5),
        ("= sum(l)", 15),
        ("= min(l)", 1),
        ("= max(l)", 5),
        ("= max(3, 9, 2)", 9),
        ("= list contains(l, 3)", True),
        ("= append(l, 6, 7)", [1, 2, 3, 4, 5, 6, 7]),
        ("= is defined(amount)", True),
        ("= is defined(missing)", False),
        ("= is defined(ctx.a.b)", True),
        ("= is defined(ctx.a.zzz)", False),
        ('= number("12") + 1', 13),
        ('= number("1.5")', 1.5),
        ("= string(12)", "12"),
        ("= string(true)", "true"),
        ("= abs(-3)", 3),
        ("= floor(1.7)", 1),
        ("= ceiling(1.2)", 2),
        ("= round up(1.2)", 2),
        ("= round down(1.8)", 1),
        ("= string  length(name)", 3),
        ("= sum([])", None),
    ],
)
def test_feel_builtin_functions(text: str, expected: object) -> None:
    assert evaluate(text, VARS) == expected


def test_feel_date_and_time_is_not_parsed_as_and_operator() -> None:
    assert evaluate('= date and time("2024-01-01T10:00:00Z").hour', {}) == 10


def test_feel_filter_names_are_not_reported_as_variables() -> None:
    expr = compile_expression("= orders[total > limit]")
    assert expr.variable_names == frozenset({"orders"})


def test_feel_without_prefix_when_dialect_is_explicit() -> None:
    assert evaluate("amount > 100", VARS, dialect="feel") is True
