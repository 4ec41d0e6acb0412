"""FEEL value semantics: types, conversion from Python, equality, ordering, text."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .chrono import (
    NS,
    PYTHON_TEMPORAL,
    DaysTime,
    FeelDate,
    FeelDateTime,
    FeelTime,
    from_python,
)
from .temporal import (
    format_date,
    format_datetime,
    format_duration,
    format_time,
    format_years_months,
)
from .types import CTX, Function, Range, YearsMonths

NUMBER = "number"
_AS_IS = (str, bool, Decimal, FeelDate, FeelTime, FeelDateTime, DaysTime)
_TEMPORAL = (FeelDate, FeelTime, FeelDateTime, DaysTime)
_ORDERED = (Decimal, str, FeelDate, DaysTime, YearsMonths)
_TYPE_NAMES: dict[type, str] = {
    Decimal: NUMBER,
    str: "string",
    bool: "boolean",
    FeelDate: "date",
    FeelTime: "time",
    FeelDateTime: "date and time",
    DaysTime: "days and time duration",
    YearsMonths: "years and months duration",
    list: "list",
    dict: "context",
    Range: "range",
    Function: "function",
}


def type_of(value: Any) -> str:
    """The FEEL type name of ``value`` (``Null`` for null)."""
    if value is None:
        return "Null"
    return _TYPE_NAMES.get(type(value), "Any")


def number(value: int | float | str) -> Decimal:
    """A FEEL number from a Python int, float (via its shortest text) or numeric text."""
    if type(value) is float:
        return CTX.create_decimal(repr(value))
    return CTX.create_decimal(value)


def to_feel(value: Any) -> Any:
    """A Python value (e.g. from JSON or process variables) as a FEEL value."""
    kind = type(value)
    if value is None or kind in _AS_IS:
        return value
    if kind is int:
        return CTX.create_decimal(value)
    if kind in PYTHON_TEMPORAL:
        return from_python(value)
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return number(value)
    if isinstance(value, list | tuple):
        return [to_feel(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_feel(v) for k, v in value.items()}
    return value


def from_feel(value: Any) -> Any:
    """A FEEL value as plain Python: integral numbers as ``int``, others as ``float``;
    temporal values as Python's, or as they are when Python cannot hold them (years
    outside 1-9999, fractions below the microsecond)."""
    kind = type(value)
    if kind is Decimal:
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if kind in _TEMPORAL:
        plain = value.to_python()
        return value if plain is None else plain
    if kind is list:
        return [from_feel(v) for v in value]
    if kind is dict:
        return {k: from_feel(v) for k, v in value.items()}
    return value


def is_aware(value: FeelTime | FeelDateTime) -> bool:
    return value.zone is not None


def _time_key(value: FeelTime) -> tuple[int, int]:
    """Whole seconds since midnight (UTC when zoned; a named zone at today's offset):
    FEEL's ``valuet``, whose resolution is the second, so fractions do not tell times
    apart (as the DMN TCK expects)."""
    seconds = value.nanos // NS
    offset = value.offset()
    return (0, seconds) if offset is None else (1, seconds - offset)


def _seconds(value: FeelDateTime) -> int:
    """FEEL's ``valuedt`` in whole seconds (UTC when zoned, else the wall clock)."""
    instant = value.instant()
    return (value.local if instant is None else instant) // NS


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 when ``a`` and ``b`` are ordered; ``None`` when they are not comparable."""
    ta, tb = type(a), type(b)
    if ta is not tb or a is None:
        return None
    if ta in _ORDERED:
        return (a > b) - (a < b)
    if ta is FeelDateTime:
        if is_aware(a) != is_aware(b):
            return None
        sa, sb = _seconds(a), _seconds(b)
        return (sa > sb) - (sa < sb)
    if ta is FeelTime:
        ka, kb = _time_key(a), _time_key(b)
        if ka[0] != kb[0]:
            return None
        return (ka > kb) - (ka < kb)
    return None


def equal(a: Any, b: Any) -> bool | None:
    """FEEL ``=``: null equals null only; values of different kinds are not equal (null)."""
    if a is None or b is None:
        return a is None and b is None
    ta, tb = type(a), type(b)
    if ta is not tb:
        return None
    if ta is bool or ta is Function:
        return a == b
    if ta is list:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b, strict=True):
            same = equal(x, y)
            if same is not True:
                return same
        return True
    if ta is dict:
        if a.keys() != b.keys():
            return False
        for key, x in a.items():
            same = equal(x, b[key])
            if same is not True:
                return same
        return True
    if ta is Range:
        return (
            a.form == b.form
            and a.start_closed == b.start_closed
            and a.end_closed == b.end_closed
            and equal(a.start, b.start) is True
            and equal(a.end, b.end) is True
        )
    if ta is FeelTime and is_aware(a) and is_aware(b):
        same_clock = a.nanos // NS == b.nanos // NS
        return same_clock and _time_key(a) == _time_key(b)
    order = compare(a, b)
    return None if order is None else order == 0


def number_text(value: Decimal) -> str:
    """A number as FEEL prints it: plain digits, no exponent, no trailing zeros."""
    if value == 0:
        return "0"
    if value == value.to_integral_value():
        return (
            f"{value.quantize(Decimal(1), context=CTX):f}"
            if value.adjusted() < 34
            else f"{value:f}"
        )
    return f"{value.normalize(CTX):f}"


def to_text(value: Any) -> str:
    """``string(value)``: the FEEL text of any value."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is Decimal:
        return number_text(value)
    if kind is FeelDate:
        return format_date(value)
    if kind is FeelDateTime:
        return format_datetime(value)
    if kind is FeelTime:
        return format_time(value)
    if kind is DaysTime:
        return format_duration(value)
    if kind is YearsMonths:
        return format_years_months(value)
    if kind is list:
        return "[" + ", ".join(_quoted(v) for v in value) + "]"
    if kind is dict:
        return "{" + ", ".join(f"{k}: {_quoted(v)}" for k, v in value.items()) + "}"
    if kind is Range:
        return (
            ("[" if value.start_closed else "(")
            + ("" if value.start is None else _quoted(value.start))
            + ".."
            + ("" if value.end is None else _quoted(value.end))
            + ("]" if value.end_closed else ")")
        )
    if kind is Function:
        return f"function {value.name}"
    return str(value)


def _quoted(value: Any) -> str:
    return f'"{value}"' if type(value) is str else to_text(value)


def to_decimal(value: Any) -> Decimal | None:
    try:
        return CTX.create_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
