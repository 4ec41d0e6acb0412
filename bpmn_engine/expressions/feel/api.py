"""Compile and evaluate FEEL expressions and unary tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import DecimalException
from functools import lru_cache
from typing import Any

from ..errors import EvalFailure, ExpressionError, ExpressionSyntaxError, ParseFailure
from ..limits import Scope
from .compiler import Compiler
from .env import Env
from .parser import parse, parse_tests
from .tests import compile_test, literal_endpoint
from .types import FeelError
from .values import to_feel

Names = tuple[str, ...]


def _failure(text: str, exc: BaseException) -> ExpressionError:
    if isinstance(exc, ParseFailure):
        return ExpressionSyntaxError(text, exc.message, exc.position)
    if isinstance(exc, EvalFailure | FeelError):
        return ExpressionError(text, exc.reason)
    if isinstance(exc, RecursionError):
        return ExpressionError(text, "expression nested too deeply")
    return ExpressionError(text, f"{type(exc).__name__.lower()}: {exc}")


class FeelExpression:
    """A compiled FEEL expression; evaluate it against variables or an :class:`Env`."""

    __slots__ = ("_fn", "source")

    def __init__(self, source: str, fn: Callable[[Env], Any]) -> None:
        self.source = source
        self._fn = fn

    def run(self, env: Env) -> Any:
        try:
            return self._fn(env)
        except ExpressionError:
            raise
        except (EvalFailure, FeelError, RecursionError, DecimalException, ArithmeticError) as exc:
            raise _failure(self.source, exc) from None

    def evaluate(self, variables: Mapping[str, Any] | None = None) -> Any:
        frame = {k: to_feel(v) for k, v in (variables or {}).items()}
        return self.run(Env(frame, budget=Scope(frame)))


class FeelTests:
    """Compiled unary tests: ``matches(input, env)`` is True, False or None."""

    __slots__ = ("_test", "source")

    def __init__(self, source: str, test: Callable[[Env, Any], Any]) -> None:
        self.source = source
        self._test = test

    def matches(self, value: Any, env: Env) -> bool | None:
        try:
            return self._test(env, value)
        except (EvalFailure, FeelError, RecursionError, DecimalException, ArithmeticError) as exc:
            raise _failure(self.source, exc) from None


@lru_cache(maxsize=4096)
def compile_feel(text: str, names: Names = ()) -> FeelExpression:
    """Parse and compile a FEEL expression; ``names`` are scope names that contain spaces
    or operator characters (so that ``Pre-Bureau Risk`` reads as one name)."""
    try:
        return FeelExpression(text, Compiler().compile(parse(text, names)))
    except (ParseFailure, FeelError, RecursionError, ValueError) as exc:
        raise _failure(text, exc) from None


@lru_cache(maxsize=4096)
def compile_tests(text: str, names: Names = ()) -> FeelTests:
    """Parse and compile FEEL unary tests (a decision-table input entry)."""
    source = text.strip() or "-"
    try:
        return FeelTests(text, compile_test(Compiler(), parse_tests(source, names)))
    except (ParseFailure, FeelError, RecursionError, ValueError) as exc:
        raise _failure(text, exc) from None


def evaluate_feel(text: str, variables: Mapping[str, Any] | None = None) -> Any:
    return compile_feel(text).evaluate(variables)


def evaluate_range_text(text: str) -> Any:
    """``range("[1..2]")``: a range literal (endpoints must be literals: no names and no
    calls except a temporal constructor of a string literal, ``date("2020-01-01")``)."""
    if len(text) > 200:
        raise ValueError("range text too long")
    compiled = compile_feel(text.strip())
    node = parse(text.strip())
    if node.kind == "range" and not all(literal_endpoint(a) for a in node.args):
        raise ValueError("range endpoints must be literals")
    return compiled.evaluate({})
