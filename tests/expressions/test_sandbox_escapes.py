"""Security: escape attempts and resource exhaustion must end in a clean ExpressionError,
quickly, without touching Python internals."""

from __future__ import annotations

import pytest

from bpmn_engine.expressions import (
    ExpressionError,
    compile_expression,
    compile_script,
    evaluate,
    run_script,
)

# A hang guard, not a speed claim (speed is measured in bench/): a test that runs on is
# stopped by pytest-timeout and fails.
pytestmark = pytest.mark.timeout(60)


class Secret:
    """An arbitrary Python object placed in the variables."""

    token = "s3cret"

    def __call__(self) -> str:
        return self.token


def _gen():
    yield 1


VARS = {
    "s": "text",
    "l": [1, 2],
    "d": {"k": 1},
    "n": 5,
    "fn": len,
    "obj": Secret(),
    "call_me": Secret(),
    "gen": _gen(),
    "f": lambda: 1,
    "big": "a" * 1000,
    "template": "${obj.token}",
    "hash_template": "#{1 + 1}",
}

ESCAPES = [
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "s.__class__",
    "s.__class__.__mro__",
    "d.__class__",
    "l.__class__.__base__",
    "fn.__self__",
    "f.__globals__",
    "f.__code__",
    "gen.gi_frame",
    "gen.gi_frame.f_globals",
    "gen.gi_code",
    "obj.token",
    "obj.__dict__",
    "s.mro()",
    "s.format",
    "'{0.__class__}'.format(s)",
    "'{x}'.format_map(d)",
    "s.join(l)",
    "s.encode()",
    "d.update({'k': 2})",
    "d.pop('k')",
    "l.append(3)",
    "l.clear()",
    "__import__('os')",
    "__import__('os').system('true')",
    "__builtins__",
    "globals()",
    "locals()",
    "vars()",
    "dir()",
    "getattr(s, 'upper')",
    "setattr(d, 'k', 1)",
    "eval('1')",
    "exec('x=1')",
    "compile('1', '', 'eval')",
    "open('/etc/passwd')",
    "type(s)",
    "isinstance(s, str)",
    "help()",
    "breakpoint()",
    "fn(l)",
    "f()",
    "call_me()",
    "obj()",
    "(f)()",
    "d.k()",
    "l[0]()",
    "s.upper.__call__()",
    "lambda: 1",
    "(lambda x: x)(1)",
    "[x for x in l]",
    "{x: 1 for x in l}",
    "(x for x in l)",
    "(y := 1)",
    "[y := 1]",
    "s if (t := 1) else 2",
    "${''.getClass().forName('java.lang.Runtime')}",
    "${s.getClass()}",
    "${execution.getClass()}",
    "${execution.getProcessEngineServices()}",
    "${obj.token}",
    "${fn.__name__}",
    "= s.__class__",
    '= __import__("os")',
    "= function(x) x",
    "d.__getitem__('k')",
    "s.__len__()",
    "l.__class__.__subclasses__()",
    "obj.__class__.__init__.__globals__",
    "d['__class__'].x()",
]


def _assert_clean_failure(action) -> None:
    """``action`` raises ExpressionError instead of running on (the module's timeout is the
    hang guard). ``bench/bench_expressions.py`` measures how fast limits trip."""
    with pytest.raises(ExpressionError):
        action()


@pytest.mark.parametrize("text", ESCAPES)
def test_escape_attempt_is_a_clean_expression_error(text: str) -> None:
    _assert_clean_failure(lambda: evaluate(text, VARS))


def test_arbitrary_objects_expose_nothing_via_paths() -> None:
    with pytest.raises(ExpressionError, match="cannot read property 'token' of Secret"):
        evaluate("obj.token", VARS)
    assert evaluate("= obj.token", VARS) is None  # FEEL: a path on a non-context is null
    assert evaluate("= fn.upper", VARS) is None


def test_callables_in_variables_are_never_called() -> None:
    called = []

    def spy() -> None:
        called.append(True)

    for text in ("spy()", "${spy()}", "= spy()", "d.spy()"):
        with pytest.raises(ExpressionError):
            evaluate(text, {"spy": spy, "d": {"spy": spy}})
    assert called == []


def test_dict_keys_named_like_internals_are_plain_keys() -> None:
    assert evaluate("d['__class__']", {"d": {"__class__": 1}}) == 1
    assert evaluate("d.get('__class__')", {"d": {}}) is None


@pytest.mark.parametrize("name", ["template", "hash_template"])
def test_variable_values_containing_expressions_are_never_evaluated(name: str) -> None:
    assert evaluate(name, VARS) == VARS[name]
    assert evaluate("${" + name + "}", VARS) == VARS[name]
    assert evaluate("Value: ${" + name + "}", VARS) == f"Value: {VARS[name]}"
    assert run_script(f"x = {name}", VARS) == {"x": VARS[name]}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9**9**9", "would exceed 10000 bits"),
        ("= 9**(9**9)", "would exceed 10000 bits"),
        ("2 ** 100000", "would exceed 10000 bits"),
        ("(-7) ** 99999", "would exceed 10000 bits"),
        ("10 ** 5000 * 10 ** 5000", "would exceed 10000 bits"),
        ("2.5 ** 1e300", "would exceed"),
        ("'a' * 10**9", "exceeds the limit of 1000000"),
        ("10**9 * 'a'", "exceeds the limit of 1000000"),
        ("[1] * 10**9", "exceeds the limit of 1000000"),
        ("(big * 1000) + (big * 1000)", "exceeds the limit of 1000000"),
        ("(big * 10).replace('a', big)", "exceeds the limit of 1000000"),
        ("= append(l, 1) ", None),
    ],
)
def test_resource_exhaustion_fails_fast(text: str, reason: str | None) -> None:
    if reason is None:
        evaluate(text, VARS)
        return
    with pytest.raises(ExpressionError, match=reason):
        evaluate(text, VARS)
    _assert_clean_failure(lambda: evaluate(text, VARS))


@pytest.mark.parametrize(
    "text",
    [
        "(" * 10_000 + "1" + ")" * 10_000,
        "(" * 4_000 + "1" + ")" * 4_000,
        "[" * 10_000 + "]" * 10_000,
        "-" * 9_000 + "1",
        "not " * 2_400 + "x",
        "${" + "(" * 5_000 + "1" + ")" * 5_000 + "}",
        "= " + "[" * 5_000 + "]" * 5_000,
        "1" + " + 1" * 2_000,
        "2" + " ** 2" * 2_000,
        "a" + ".b" * 3_000,
        "a" + "[0]" * 3_000,
        "f(" * 3_000 + ")" * 3_000,
        "x if y else " * 800 + "z",
    ],
    ids=lambda text: f"{text[:12]}..{len(text)}",
)
def test_deep_nesting_is_a_clean_error_not_recursion_error(text: str) -> None:
    _assert_clean_failure(lambda: compile_expression(text))


def test_huge_number_literal_is_a_syntax_error() -> None:
    _assert_clean_failure(lambda: compile_expression("1" * 5000))


def test_text_length_is_limited() -> None:
    with pytest.raises(ExpressionError, match="limit is 10000"):
        compile_expression("1" + " " * 10_000)
    with pytest.raises(ExpressionError, match="limit is 10000"):
        compile_script("x = 1\n" * 2_000)


def test_step_budget_stops_filter_blowup() -> None:
    variables = {"l": list(range(1000))}
    text = "= l[count(l[count(l[item > 0]) > 0]) > 0]"
    with pytest.raises(ExpressionError, match="step limit of 100000 exceeded"):
        evaluate(text, variables)
    _assert_clean_failure(lambda: evaluate(text, variables))


def test_step_budget_counts_work_on_large_values() -> None:
    variables = {"l": list(range(1_000_000))}
    text = " + ".join(["len(l)"] * 20)
    with pytest.raises(ExpressionError, match="step limit"):
        evaluate(text, variables)


def test_scripts_cannot_grow_integers_without_bound() -> None:
    script = "x = 9 ** 3000\n" + "x = x * x\n" * 10
    with pytest.raises(ExpressionError, match="would exceed 10000 bits"):
        run_script(script, {})


@pytest.mark.parametrize(
    "text",
    [
        "import os",
        "import os; x = 1",
        "from os import system",
        "x = __import__('os')",
        "exec('1')",
        "def f(): return 1",
        "while 1: pass",
        "for i in l: x = i",
        "global x",
        "x = lambda: 1",
        "with open('f') as h: x = 1",
        "try: x = 1",
        "raise ValueError",
        "del d",
        "x.__class__ = 1",
        "x = yield 1",
    ],
)
def test_script_escapes_are_rejected(text: str) -> None:
    _assert_clean_failure(lambda: run_script(text, VARS))


def test_script_cannot_mutate_caller_values_through_methods() -> None:
    variables = {"l": [1], "d": {"k": 1}}
    for text in ("l.append(2)", "d.update({'a': 1})", "d.clear()", "d.setdefault('a', 1)"):
        with pytest.raises(ExpressionError):
            run_script(text, variables)
    assert variables == {"l": [1], "d": {"k": 1}}
