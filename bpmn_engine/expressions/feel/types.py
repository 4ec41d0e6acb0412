"""FEEL value types that Python lacks: years-and-months durations, ranges, functions.

FEEL values map onto Python as: number -> ``Decimal`` (34 digits, see :data:`CTX`),
string -> ``str``, boolean -> ``bool``, null -> ``None``, date, time, date and time and
days and time duration -> :mod:`.chrono`'s ``FeelDate``, ``FeelTime``, ``FeelDateTime``
and ``DaysTime`` (Python's ``date``/``time``/``datetime``/``timedelta`` convert at the
edges), years and months duration -> :class:`YearsMonths`, list -> ``list``, context ->
``dict``, range -> :class:`Range`, function -> :class:`Function`.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CTX = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
"""FEEL's number context: IEEE 754 decimal128 (34 significant digits, half-even)."""


@dataclass(frozen=True, slots=True)
class YearsMonths:
    """A years and months duration, counted in months (may be negative)."""

    months: int

    def __lt__(self, other: YearsMonths) -> bool:
        return self.months < other.months

    def __le__(self, other: YearsMonths) -> bool:
        return self.months <= other.months

    def __gt__(self, other: YearsMonths) -> bool:
        return self.months > other.months

    def __ge__(self, other: YearsMonths) -> bool:
        return self.months >= other.months


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range; ``None`` as an endpoint means unbounded on that side. ``form`` is
    ``"="`` for the unary form ``(=10)``, which holds what ``[10..10]`` holds but is not
    equal to it (the DMN TCK: syntactically different ranges are not equal)."""

    start: Any
    end: Any
    start_closed: bool
    end_closed: bool
    form: str = ""


@dataclass(frozen=True, slots=True)
class Function:
    """A callable FEEL value: a built-in, a user-defined function or a BKM.

    ``signatures`` lists the accepted parameter names (a trailing ``?`` marks an optional
    parameter, ``...`` a variadic tail); ``call`` takes the positional arguments.
    ``named_types`` pins the type of a parameter when it is passed by name (``context
    put(key: ...)`` takes one key, a string; a key list is passed as ``keys``).
    """

    name: str
    signatures: tuple[tuple[str, ...], ...]
    call: Callable[..., Any]
    named_types: tuple[tuple[str, type], ...] = ()

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(p.rstrip("?") for p in self.signatures[0])


class FeelError(Exception):
    """A FEEL evaluation error that is not turned into null (e.g. an unknown function)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fits(signature: tuple[str, ...], count: int) -> bool:
    if signature and signature[-1] == "...":
        return count >= len(signature) - 1 - sum(p.endswith("?") for p in signature)
    required = sum(not p.endswith("?") for p in signature)
    return required <= count <= len(signature)


def bind_arguments(fn: Function, args: list[Any], named: dict[str, Any] | None) -> list[Any] | None:
    """Positional argument list for ``fn`` from positional or named arguments; None when
    a named argument has the wrong type for its name (the call gives null)."""
    if named is None:
        if any(_fits(sig, len(args)) for sig in fn.signatures):
            return args
        raise FeelError(f"function '{fn.name}' does not take {len(args)} argument(s)")
    for sig in fn.signatures:
        names = [p.rstrip("?") for p in sig if p != "..."]
        required = {p for p in sig if not p.endswith("?") and p != "..."}
        if required <= set(named) <= set(names):
            for key, kind in fn.named_types:
                if named.get(key) is not None and type(named[key]) is not kind:
                    return None
            values = [named.get(p) for p in names]
            while values and names[len(values) - 1] not in named:
                values.pop()
            return values
    raise FeelError(f"function '{fn.name}' has no parameters named {sorted(named)}")
