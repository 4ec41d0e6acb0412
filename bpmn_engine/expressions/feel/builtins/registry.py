"""The table of FEEL built-in functions and the decorator that fills it."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from decimal import DecimalException
from typing import Any

from ...errors import EvalFailure
from ..types import Function

BUILTINS: dict[str, Function] = {}
STRICT: ContextVar[bool] = ContextVar("feel_strict_builtins", default=False)
"""Set for BPMN expressions: malformed text given to a built-in (``date("2024-13-01")``)
is an error there, where DMN gives null."""
_NULL_ON = (TypeError, ValueError, DecimalException, AttributeError, IndexError, OverflowError)


def builtin(
    name: str, *signatures: str, named_types: tuple[tuple[str, type], ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as FEEL function ``name``; each signature is a comma-separated list
    of parameter names (``?`` optional, ``...`` variadic). Invalid input gives null."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            try:
                return fn(*args)
            except EvalFailure:
                raise
            except NullResult:
                pass
            except _NULL_ON as exc:
                if (
                    STRICT.get()
                    and isinstance(exc, ValueError)
                    and not any(type(a) is list and len(a) == 1 for a in args)
                ):
                    raise EvalFailure(f"{name}(): {exc}") from None
            if any(type(a) is list and len(a) == 1 for a in args):
                return call(*(a[0] if type(a) is list and len(a) == 1 else a for a in args))
            return None

        sigs = tuple(tuple(p.strip() for p in s.split(",") if p.strip()) for s in signatures)
        BUILTINS[name] = Function(name, sigs or ((),), call, named_types)
        return fn

    return register


class NullResult(ValueError):
    """Raised by a built-in whose arguments do not fit: the call gives null."""


def need(condition: bool) -> None:
    """Give null (through the registry) unless ``condition`` holds."""
    if not condition:
        raise NullResult("invalid argument")
