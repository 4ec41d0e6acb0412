"""FEEL as the ``feel`` dialect of BPMN expressions (Camunda 8 ``=`` text).

Process variables are plain Python values; they are read as FEEL values on access
(lazily: only the names an expression reads are converted) and the result is converted
back (integral numbers to ``int``, others to ``float``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC
from typing import Any, cast

from ..errors import EvalFailure
from ..limits import Scope
from ..nodes import Node
from .arith import STRICT_DIVISION
from .builtins.registry import STRICT
from .chrono import TEMPORAL_TYPES, FeelDateTime
from .env import Env
from .types import Function, Range, YearsMonths
from .values import from_feel, to_feel, to_text, type_of

_BINDING_KINDS = ("for", "some", "every", "function")


class FeelVariables(Mapping[str, Any]):
    """A read-only view of process variables as FEEL values."""

    __slots__ = ("_cache", "_source")

    def __init__(self, source: Mapping[str, Any]) -> None:
        self._source = source
        self._cache: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        value = to_feel(self._source[name])
        self._cache[name] = value
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._source

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)


def run_in_scope(fn: Any, scope: Scope) -> Any:
    """Evaluate compiled FEEL ``fn`` against the variables and budget of ``scope``."""
    token = STRICT_DIVISION.set(True)
    strict = STRICT.set(True)
    try:
        return storable(fn(Env(FeelVariables(scope.vars), budget=scope)))
    finally:
        STRICT.reset(strict)
        STRICT_DIVISION.reset(token)


def storable(value: Any) -> Any:
    """A FEEL result as a process-variable value; refuses what has no such form. A date
    and time without a zone is taken as UTC, as elsewhere in the engine; a temporal
    value Python cannot hold (a year outside 1-9999, a fraction below the microsecond)
    is refused."""
    kind = type(value)
    if kind is YearsMonths:
        raise EvalFailure(
            f"the year-month duration {to_text(value)} has no fixed length and cannot be a "
            "variable value"
        )
    if kind in (Function, Range):
        raise EvalFailure(f"a {type_of(value)} cannot be a variable value")
    if kind in TEMPORAL_TYPES:
        plain = value.to_python()
        if plain is None:
            raise EvalFailure(
                f"the {type_of(value)} {to_text(value)} is outside what a variable value "
                "holds (years 1-9999, microseconds)"
            )
        if kind is FeelDateTime and value.zone is None:
            return plain.replace(tzinfo=UTC)
        return plain
    if kind is list:
        return [storable(v) for v in value]
    if kind is dict:
        return {k: storable(v) for k, v in value.items()}
    return from_feel(value)


def feel_names_read(node: Node, bound: frozenset[str] = frozenset()) -> Iterator[str]:
    """Variable names a FEEL tree reads: not callee names, not names bound by
    ``for``/``some``/``every``/``function``, not names inside filters."""
    kind = node.kind
    if kind == "name":
        if node.value not in bound and node.value != "?":
            yield str(node.value)
        return
    if kind == "filter":
        yield from feel_names_read(node.args[0], bound)  # type: ignore[arg-type]
        return
    if kind == "call":
        callee: Node = node.args[0]  # type: ignore[assignment]
        if callee.kind != "name":
            yield from feel_names_read(callee, bound)
        for arg in node.args[1:]:
            yield from feel_names_read(arg, bound)  # type: ignore[arg-type]
        return
    if kind in _BINDING_KINDS:
        inner = bound | frozenset(cast(Iterable[str], node.value))
        for child in node.children():
            yield from feel_names_read(child, inner)
        return
    if kind == "context":
        inner = bound | frozenset(cast(Iterable[str], node.value))
        for child in node.children():
            yield from feel_names_read(child, inner)
        return
    for child in node.children():
        yield from feel_names_read(child, bound)
