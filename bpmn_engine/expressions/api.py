"""Compiled expressions and the public compile/evaluate entry points."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from .compiler import Compiler
from .errors import EvalFailure, ExpressionError, ExpressionSyntaxError, ParseFailure
from .frontend import DIALECTS, detect_dialect, feel_start, has_juel, parse_expression
from .limits import Scope
from .nodes import Node, names_read

_EMPTY: Mapping[str, Any] = {}


def describe_failure(exc: BaseException) -> str:
    """Human readable reason for any exception raised while evaluating."""
    if isinstance(exc, EvalFailure):
        return exc.reason
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, RecursionError):
        return "expression nested too deeply"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, OverflowError):
        return f"numeric overflow ({exc})"
    return f"{type(exc).__name__.lower()}: {exc}"


def resolve_dialect(text: str, dialect: str | None) -> str:
    if dialect is None:
        return detect_dialect(text)
    if dialect not in DIALECTS:
        raise ExpressionError(text, f"unknown dialect {dialect!r} (use one of {DIALECTS})")
    return dialect


def build(text: Any, dialect: str | None, parse: Callable[[str, str], Node]) -> tuple[str, Node]:
    """Resolve the dialect and parse, turning every failure into an ExpressionError."""
    if type(text) is not str:
        raise ExpressionError(repr(text), f"expected a string, got {type(text).__name__}")
    resolved = resolve_dialect(text, dialect)
    try:
        return resolved, parse(text, resolved)
    except ParseFailure as exc:
        raise ExpressionSyntaxError(text, exc.message, exc.position) from None
    except RecursionError:
        raise ExpressionError(text, "expression nested too deeply") from None
    except ExpressionError:
        raise
    except Exception as exc:  # defensive: never let a raw exception escape
        raise ExpressionError(text, describe_failure(exc)) from exc


class Expression:
    """A parsed and compiled expression; immutable and safe to share between threads."""

    __slots__ = ("_fn", "dialect", "source", "variable_names")

    def __init__(
        self, source: str, dialect: str, fn: Callable[[Scope], Any], variable_names: frozenset[str]
    ) -> None:
        self.source = source
        self.dialect = dialect
        self.variable_names = variable_names
        self._fn = fn

    def evaluate(self, variables: Mapping[str, Any] | None = None) -> Any:
        """Evaluate against ``variables`` (any mapping; read with ``in`` and ``[]`` only)."""
        try:
            return self._fn(Scope(_EMPTY if variables is None else variables))
        except EvalFailure as exc:
            raise ExpressionError(self.source, exc.reason) from None
        except Exception as exc:
            raise ExpressionError(self.source, describe_failure(exc)) from exc

    def __repr__(self) -> str:
        return f"Expression({self.source!r}, dialect={self.dialect!r})"


def _compile_feel(text: str) -> Expression:
    """FEEL text (after an optional ``=``) through the full FEEL implementation."""
    from .feel.compiler import Compiler as FeelCompiler
    from .feel.dialect import feel_names_read, run_in_scope
    from .feel.parser import parse as parse_feel
    from .feel.types import FeelError

    body = text[feel_start(text) :]
    try:
        tree = parse_feel(body)
        fn = FeelCompiler().compile(tree)
    except ParseFailure as exc:
        raise ExpressionSyntaxError(
            text, exc.message, exc.position + len(text) - len(body)
        ) from None
    except FeelError as exc:
        raise ExpressionError(text, exc.reason) from None
    except RecursionError:
        raise ExpressionError(text, "expression nested too deeply") from None
    names = frozenset(feel_names_read(tree))
    return Expression(text, "feel", lambda scope: run_in_scope(fn, scope), names)


@lru_cache(maxsize=4096)
def _compile(text: str, dialect: str | None) -> Expression:
    if type(text) is str and resolve_dialect(text, dialect) == "feel":
        return _compile_feel(text)
    resolved, tree = build(text, dialect, parse_expression)
    try:
        fn = Compiler(resolved).compile(tree)
    except ParseFailure as exc:
        raise ExpressionSyntaxError(text, exc.message, exc.position) from None
    except RecursionError:
        raise ExpressionError(text, "expression nested too deeply") from None
    except Exception as exc:  # defensive: never let a raw exception escape
        raise ExpressionError(text, describe_failure(exc)) from exc
    return Expression(text, resolved, fn, frozenset(names_read(tree)))


def compile_expression(text: str, *, dialect: str | None = None) -> Expression:
    """Parse and compile ``text`` once (cached by text and dialect).

    ``dialect`` ``None`` auto-detects: ``${..}``/``#{..}`` (also inside text) is JUEL, a
    leading ``=`` is FEEL, anything else is the plain Python-like dialect.
    """
    if type(text) is not str:
        raise ExpressionError(repr(text), f"expected a string, got {type(text).__name__}")
    return _compile(text, dialect)


def evaluate(
    text: str, variables: Mapping[str, Any] | None = None, *, dialect: str | None = None
) -> Any:
    """Compile (cached) and evaluate ``text`` against ``variables``."""
    return compile_expression(text, dialect=dialect).evaluate(variables)


def is_expression(text: Any) -> bool:
    """True for JUEL ``${..}``/``#{..}`` text (also composite) and FEEL ``=..`` text;
    False for plain literals such as ``"sales"``."""
    if type(text) is not str:
        return False
    return text.lstrip().startswith("=") or has_juel(text)
