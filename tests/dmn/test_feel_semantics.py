"""FEEL semantics the DMN TCK pins down, checked directly (the TCK runs them too, but a
failure here names the rule that broke)."""

from __future__ import annotations

import pytest

from bpmn_engine.expressions.feel import evaluate_feel


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
