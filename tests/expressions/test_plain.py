"""Plain (Python-like) dialect: operators, precedence, paths, functions."""

from __future__ import annotations

from collections import ChainMap

import pytest

from bpmn_engine.expressions import ExpressionError, evaluate

VARS = {
    "counter": 3,
    "a": 1,
    "b": 2,
    "s": "Hello",
    "l": [1, 2, 3, 4, 5],
    "n": None,
    "d": {"x": {"y": 7}, "k": "v"},
    "approved": True,
    "rejected": False,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("counter < 10", True),
        ("counter >= 3", True),
        ("a + b * 2", 5),
        ("(a + b) * 2", 6),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("7 / 2", 3.5),
        ("2 ** 3 ** 2", 512),
        ("-2 ** 2", -4),
        ("2 ** -1", 0.5),
        ("-a + +b", 1),
        ("1 < counter < 5", True),
        ("1 < counter < 2", False),
        ("not a == 2", True),
        ("approved and not rejected", True),
        ("approved == True", True),
        ("approved == true", True),
        ("n is None", True),
        ("n is not None", False),
        ("n == null", True),
        ("a or b", 1),
        ("rejected or 'fallback'", "fallback"),
        ("a if approved else b", 1),
        ("a if rejected else b if approved else 0", 2),
        ("'ab' + 'cd'", "abcd"),
        ("'ab' * 2", "abab"),
        ("[1] + [2]", [1, 2]),
        ("3 in l", True),
        ("9 not in l", True),
        ("'ell' in s", True),
        ("'k' in d", True),
        ("a == 1 && b == 2", True),
        ("a == 2 || b == 2", True),
        ("!rejected", True),
    ],
)
def test_plain_operators_and_precedence(text: str, expected: object) -> None:
    assert evaluate(text, VARS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("d.x.y", 7),
        ("d['x']['y']", 7),
        ("d.k", "v"),
        ("d.missing", None),
        ("d.missing.deeper", None),
        ("d['missing']", None),
        ("l[0]", 1),
        ("l[-1]", 5),
        ("l[1:3]", [2, 3]),
        ("l[:2]", [1, 2]),
        ("l[3:]", [4, 5]),
        ("s[0]", "H"),
        ("{'a': 1, 'b': [a, b]}", {"a": 1, "b": [1, 2]}),
        ("[a, b, 3]", [1, 2, 3]),
        ("(1, 2)", [1, 2]),
        ("3 in (1, 2, 3)", True),
    ],
)
def test_plain_paths_indexing_and_literals(text: str, expected: object) -> None:
    assert evaluate(text, VARS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("len(l)", 5),
        ("len(s)", 5),
        ("str(counter)", "3"),
        ("int('12') + 1", 13),
        ("float('1.5')", 1.5),
        ("int(2.9)", 2),
        ("bool(l)", True),
        ("abs(-3)", 3),
        ("min(l)", 1),
        ("max(4, 9, 2)", 9),
        ("sum(l)", 15),
        ("sum([0.1, 0.2])", pytest.approx(0.3)),
        ("round(2.567, 1)", 2.6),
        ("round(2.5)", 2),
        ("sorted([3, 1, 2])", [1, 2, 3]),
        ("any([False, 1])", True),
        ("all([True, 0])", False),
        ("s.upper()", "HELLO"),
        ("s.lower()", "hello"),
        ("'  x '.strip()", "x"),
        ("s.startswith('He')", True),
        ("s.endswith('lo')", True),
        ("'a,b'.split(',')", ["a", "b"]),
        ("s.replace('l', 'L')", "HeLLo"),
        ("d.get('k')", "v"),
        ("d.get('nope', 5)", 5),
        ("d.keys()", ["x", "k"]),
        ("l.count(3)", 1),
    ],
)
def test_plain_functions_and_methods(text: str, expected: object) -> None:
    assert evaluate(text, VARS) == expected


def test_plain_undefined_top_level_variable_is_an_error() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("amout > 10", {"amount": 5})
    assert info.value.reason == "unknown variable 'amout'"


def test_plain_index_out_of_range_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="out of range"):
        evaluate("l[10]", VARS)


def test_plain_short_circuit_skips_undefined_right_operand() -> None:
    assert evaluate("rejected and undefined_name", VARS) is False
    assert evaluate("approved or undefined_name", VARS) is True


def test_plain_reads_any_mapping_such_as_chainmap() -> None:
    scope = ChainMap({"counter": 11}, {"counter": 1, "limit": 10})
    assert evaluate("counter > limit", scope) is True


def test_plain_comparing_str_and_int_is_an_error() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("s < 1", VARS)
    assert info.value.reason == "'<' not supported between str and int"


def test_plain_booleans_are_not_numbers_in_arithmetic() -> None:
    with pytest.raises(ExpressionError, match="'\\+' not supported between bool and int"):
        evaluate("approved + 1", VARS)


def test_plain_python_comments_are_ignored() -> None:
    assert evaluate("a + 1  # one more", VARS) == 2


def test_plain_multiline_expression_inside_brackets() -> None:
    assert evaluate("[\n  1,\n  2,\n]", {}) == [1, 2]
