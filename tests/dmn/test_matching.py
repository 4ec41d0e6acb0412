"""Decision-table rule matching: the literal fast paths and the column indexes give the
same matches as FEEL's unary tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bpmn_engine.dmn.matching import build_index, compile_check
from bpmn_engine.expressions.feel import Env, compile_tests

ENTRIES = [
    "-",
    '"a"',
    '"a", "b"',
    "5",
    "-5",
    "5, 7",
    "< 5",
    "<= 5",
    "> -5",
    ">= 5",
    "[1..10]",
    "(1..10)",
    "[1..10)",
    "(1..10]",
    '["a".."m")',
    '< "m"',
    "not(5)",
    '"a", < 3',
    "? > 3",
    'date("2020-01-01")',
]
VALUES = [
    None,
    Decimal(-5),
    Decimal(1),
    Decimal("1.0"),
    Decimal(5),
    Decimal(7),
    Decimal(10),
    Decimal("10.5"),
    "a",
    "b",
    "m",
    "5",
    True,
    date(2020, 1, 1),
    [Decimal(5)],
]


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_compiled_entry_matches_exactly_where_its_feel_test_is_true(entry):
    check = compile_check(entry, ())
    tests = compile_tests(entry, ())
    env = Env({})
    for value in VALUES:
        expected = tests.matches(value, env) is True
        actual = True if check is None else check(value, env)
        assert actual is expected, (entry, value)


def _matching(rows, values):
    checks = [[compile_tests(text, ()) for text in row] for row in rows]
    env = Env({})
    return [
        n
        for n, row in enumerate(checks)
        if all(t.matches(v, env) is True for t, v in zip(row, values, strict=True))
    ]


@pytest.mark.parametrize(
    "column",
    [
        ['"a"', '"b", "c"', "-", '"c"', "5", '"d"', '"e"', '"f"', '"g"'],
        ["[0..10)", "[10..20)", "-", "< 0", ">= 20", "15", "(5..25]", "[30..40]", "[40..50]"],
    ],
)
def test_an_indexed_column_offers_every_matching_rule_in_rule_order(column):
    rows = [[text, "-"] for text in column]
    index = build_index(rows, ())
    assert index is not None and index.column == 0
    for value in [*VALUES, Decimal(0), Decimal(15), Decimal(20), Decimal(25), "c", "z"]:
        candidates = list(index.candidates(value))
        assert candidates == sorted(candidates)
        assert set(_matching(rows, [value, None])) <= set(candidates), value


def test_columns_without_literal_or_range_entries_or_little_gain_are_not_indexed():
    assert build_index([["? > 1"], ['"a"']], ()) is None
    assert build_index([["-"], ["-"], ['"a"']], ()) is None
