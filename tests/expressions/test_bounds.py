"""Every built-in is bounded before it allocates: inputs that would take minutes or
gigabytes are refused with an ExpressionError (the sandbox's own error type, which the
runtime turns into an incident)."""

from __future__ import annotations

import pytest

from bpmn_engine.expressions import ExpressionError, evaluate, run_script

NESTED = {"deep": [[[0] * 100] * 100] * 99}  # a weight just under the limit, shared lists


@pytest.mark.parametrize(
    ("text", "variables", "reason"),
    [
        ("round(5, -10**9)", {}, "digits must be between"),
        ("round(5.5, 10**9)", {}, "digits must be between"),
        ("=decimal(5, -1000000000)", {}, "digits must be between"),
        ("=distinct values(xs)", {"xs": [[i] for i in range(30_000)]}, "too large"),
        ("${a}" * 2_000, {"a": "x" * 1_000_000}, "exceeds the limit"),
        ("${a}" * 2_000, {"a": "x" * 1_000}, "exceeds the limit"),
        ("'ab' * 10**9", {}, "exceeds the limit"),
        ("[[0] * 1000] * 1000 * 1000", {}, "exceeds the limit"),
        ("xs * 1000", {"xs": [[0] * 1000] * 10}, "exceeds the limit"),
        ("xs + xs", {"xs": [[0] * 1000] * 600}, "exceeds the limit"),
        ("str([deep] * 10)", NESTED, "exceeds the limit"),
        # weight 1M (each big int counts 1) but a 3 GB text: refused before str() runs
        ("str([[10**3000] * 999] * 999)", {}, "text of the value exceeds the limit"),
        ("str(xs)", {"xs": [["\x00" * 1000] * 100] * 10}, "text of the value exceeds"),
        ("x${xs}", {"xs": [[10**3000] * 999] * 999}, "text of the value exceeds the limit"),
        ("[deep] * 10 == [deep] * 10", NESTED, "exceeds the limit"),
        (
            "sorted([deep, deep, deep, deep, deep, deep, deep, deep, deep, deep, deep])",
            NESTED,
            "limit",
        ),
        (
            "max([deep, deep, deep, deep, deep, deep, deep, deep, deep, deep, deep])",
            NESTED,
            "limit",
        ),
        (
            "=count([deep, deep, deep, deep, deep, deep, deep, deep, deep, deep, deep])",
            NESTED,
            "limit",
        ),
        ("=append(deep, deep)", NESTED, "exceeds the limit"),
        ("{'a': deep, 'b': deep}", NESTED, "limit"),
    ],
)
def test_an_expression_bomb_is_refused(text, variables, reason):
    with pytest.raises(ExpressionError, match=reason):
        evaluate(text, variables)


@pytest.mark.parametrize(
    "script",
    [
        "a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000\nd = str(c)",
        "a = [0] * 1000\nb = [a, a, a, a, a, a, a, a, a, a]\nc = [b, b, b, b, b, b, b, b, b, b]\n"
        "d = [c, c, c, c, c, c, c, c, c, c]",
        "a = [1]\n" + "a[0] = a\n" * 200,
        "a = []\n" + "a = [a]\n" * 300 + "b = a == a",
    ],
    ids=["repeat", "literals", "self-nesting", "deep"],
)
def test_a_script_building_nested_lists_is_refused(script):
    with pytest.raises(ExpressionError, match=r"limit|deeper"):
        run_script(script)


def test_values_within_the_limits_still_work():
    assert evaluate("=distinct values(xs)", {"xs": [1, 1.0, True, "1", None, None, [1], [1]]}) == [
        1,
        True,
        "1",
        None,
        [1],
    ]
    assert len(evaluate("=distinct values(xs)", {"xs": list(range(30_000)) * 2})) == 30_000
    assert evaluate("round(1234.5678, -2)") == 1200.0
    assert evaluate("=decimal(1.125, 2)") == 1.12
    assert len(evaluate("${a}" * 100, {"a": "xy"})) == 200
    assert len(evaluate("[[0] * 100] * 100")) == 100
    assert run_script("a = [0] * 10\nb = [a] * 10\nc = str(b)")["c"].count("0") == 100
