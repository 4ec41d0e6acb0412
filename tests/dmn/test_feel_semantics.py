"""FEEL semantics the DMN TCK pins down, checked directly (the TCK runs them too, but a
failure here names the rule that broke)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from bpmn_engine.expressions.errors import EvalFailure
from bpmn_engine.expressions.feel import Env, compile_tests, evaluate_feel
from bpmn_engine.expressions.feel.dialect import storable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('time("10:30:00.0001") = time("10:30:00.0002")', True),
        ('time("10:30:00.9") = time("10:30:01")', False),
        ('time("10:30:00.2") < time("10:30:00.7")', False),
        ('time("10:30:00.2@Europe/Paris") = time("10:30:00.7@Europe/Paris")', True),
        ('date and time("2018-12-08T00:00:00.0001") = date and time("2018-12-08T00:00:00")', True),
        (
            'date and time("2018-12-08T00:00:00.5Z") = @"2018-12-08T01:00:00+01:00"',
            True,
        ),
        ('date and time("2018-12-08T00:00:00.5") > date and time("2018-12-08T00:00:00")', False),
        ('date and time("2018-12-08T00:00:01") > date and time("2018-12-08T00:00:00.9")', True),
    ],
)
def test_times_and_date_times_compare_at_whole_seconds(text: str, expected: bool) -> None:
    assert evaluate_feel(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(=10) = [10..10]", False),
        ("(=10) = (=10)", True),
        ("(<10) = (<10)", True),
        ("(<=10) = (<10)", False),
        ("10 in (=10)", True),
        ("11 in (=10)", False),
    ],
)
def test_the_unary_equality_range_holds_one_value_but_equals_only_its_own_form(
    text: str, expected: bool
) -> None:
    assert evaluate_feel(text) is expected


def test_context_put_takes_a_key_list_only_under_the_name_keys() -> None:
    assert evaluate_feel('context put(context: {y: {a: 0}}, key: ["y", "a"], value: 2)') is None
    assert evaluate_feel('context put(context: {y: {a: 0}}, keys: ["y", "a"], value: 2)') == {
        "y": {"a": 2}
    }
    assert evaluate_feel('context put({y: {a: 0}}, ["y", "a"], 2)') == {"y": {"a": 2}}
    assert evaluate_feel('context put(context: {y: 0}, key: "y", value: 2)') == {"y": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('date("2024-02-29")', date(2024, 2, 29)),
        ('@"2024-02-29T10:00:00"', datetime(2024, 2, 29, 10, tzinfo=UTC)),
        ('time("10:00:00.000001+01:00")', time(10, 0, 0, 1, timezone(timedelta(hours=1)))),
        ('duration("P2DT1.5S")', timedelta(days=2, seconds=1.5)),
    ],
)
def test_temporal_results_become_python_values_as_variables(text: str, expected: object) -> None:
    assert storable(evaluate_feel(text)) == expected


@pytest.mark.parametrize(
    "text",
    ['date("10000-01-01")', 'date("-0001-01-01")', 'time("10:00:00.000000001")'],
)
def test_temporal_results_python_cannot_hold_are_refused_as_variables(text: str) -> None:
    with pytest.raises(EvalFailure, match="outside what a variable value holds"):
        storable(evaluate_feel(text))


@pytest.mark.parametrize(
    ("entry", "value", "expected"),
    [
        ('[date("2020-01-01")..date("2020-12-31")]', "2020-06-15", True),
        ('[date("2020-01-01")..date("2020-12-31")]', "2021-01-01", False),
        ('date("2020-06-15"), date("2020-06-16")', "2020-06-16", True),
        ('< date("2020-01-01")', "2019-12-31", True),
        ('[date("2020-01-01")..date("2020-13-01")]', "2020-06-15", None),
    ],
)
def test_entries_of_date_literals_match_like_feel(entry: str, value: str, expected: object) -> None:
    tests = compile_tests(entry)
    assert tests.matches(evaluate_feel(f'date("{value}")'), Env({})) is expected
