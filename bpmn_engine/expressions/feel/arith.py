"""FEEL arithmetic: numbers (decimal), strings, temporal values and durations.

Every operator returns null for operands it does not define (FEEL's null semantics).
"""

from __future__ import annotations

import decimal
from contextvars import ContextVar
from datetime import UTC
from decimal import Decimal, DecimalException
from typing import Any

from ..errors import EvalFailure
from ..limits import MAX_INT_BITS
from .chrono import DAY_NS, NS, DaysTime, FeelDate, FeelDateTime, FeelTime, month_days
from .types import CTX, YearsMonths
from .values import is_aware

STRICT_DIVISION: ContextVar[bool] = ContextVar("feel_strict_division", default=False)
"""Set for BPMN expressions, where dividing by zero and numeric overflow are errors (DMN
gives null)."""


_MAX_DIGITS = int(MAX_INT_BITS * 0.30103)  # decimal digits of 2 ** MAX_INT_BITS
_DURATIONS = (DaysTime, YearsMonths)
_POINTS = (FeelDate, FeelDateTime, FeelTime)


def zero_division() -> None:
    if STRICT_DIVISION.get():
        raise EvalFailure("division by zero")
    return None


def add_months(value: FeelDate, months: int) -> FeelDate:
    """``value`` moved by ``months``, the day clamped to the target month's length."""
    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    return FeelDate(year, month + 1, min(value.day, month_days(year, month + 1)))


def _shift(value: Any, delta: Any) -> Any:
    """A date, time or date and time moved by a duration (on the wall clock)."""
    kind = type(value)
    if type(delta) is YearsMonths:
        if kind is FeelDate:
            return add_months(value, delta.months)
        if kind is FeelDateTime:
            return FeelDateTime(add_months(value.date, delta.months), value.nanos, value.zone)
        return None
    if kind is FeelDateTime:
        return FeelDateTime.from_local(value.local + delta.nanos, value.zone)
    if kind is FeelDate:
        return FeelDate.from_days((value.days * DAY_NS + delta.nanos) // DAY_NS)
    return FeelTime((value.nanos + delta.nanos) % DAY_NS, value.zone)


def _as_datetime(value: FeelDate) -> FeelDateTime:
    """A date where a date and time is subtracted: its midnight, UTC."""
    return FeelDateTime(value, 0, UTC)


def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return CTX.add(a, b)
        if ta is str and tb is str:
            return a + b
        if ta is tb and ta in _DURATIONS:
            if ta is DaysTime:
                return DaysTime(a.nanos + b.nanos)
            return YearsMonths(a.months + b.months)
        if tb in _DURATIONS and ta in _POINTS:
            return _shift(a, b)
        if ta in _DURATIONS and tb in _POINTS:
            return _shift(b, a)
    except (OverflowError, ValueError, DecimalException):
        return None
    return None


def sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return CTX.subtract(a, b)
        if ta is tb and ta is DaysTime:
            return DaysTime(a.nanos - b.nanos)
        if ta is tb and ta is YearsMonths:
            return YearsMonths(a.months - b.months)
        if tb is DaysTime and ta in _POINTS:
            return _shift(a, DaysTime(-b.nanos))
        if tb is YearsMonths and ta in (FeelDate, FeelDateTime):
            return _shift(a, YearsMonths(-b.months))
        if ta is tb is FeelDate:
            return DaysTime((a.days - b.days) * DAY_NS)
        if ta is FeelDate and tb is FeelDateTime:
            a = _as_datetime(a)
        elif ta is FeelDateTime and tb is FeelDate:
            b = _as_datetime(b)
        if type(a) is type(b) is FeelDateTime:
            if is_aware(a) != is_aware(b):
                return None
            if not is_aware(a):
                return DaysTime(a.local - b.local)
            start, end = a.instant(), b.instant()
            return None if start is None or end is None else DaysTime(start - end)
        if ta is tb is FeelTime:
            if is_aware(a) != is_aware(b):
                return None
            return DaysTime(a.nanos - b.nanos - ((a.offset() or 0) - (b.offset() or 0)) * NS)
    except (OverflowError, ValueError, DecimalException):
        return None
    return None


def _scale(value: Any, factor: Decimal) -> Any:
    if type(value) is DaysTime:
        return DaysTime(int(CTX.multiply(Decimal(value.nanos), factor)))
    months = CTX.multiply(Decimal(value.months), factor)
    return YearsMonths(int(months))


def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return CTX.multiply(a, b)
        if ta in _DURATIONS and tb is Decimal:
            return _scale(a, b)
        if tb in _DURATIONS and ta is Decimal:
            return _scale(b, a)
    except (OverflowError, ValueError, DecimalException):
        return None
    return None


def div(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return zero_division() if not b else CTX.divide(a, b)
        if ta in _DURATIONS and tb is Decimal:
            return None if not b else _scale(a, CTX.divide(1, b))
        if ta is tb is DaysTime:
            return None if not b.nanos else CTX.divide(a.nanos, b.nanos)
        if ta is tb is YearsMonths:
            return None if not b.months else CTX.divide(a.months, b.months)
    except (OverflowError, ValueError, DecimalException):
        return None
    return None


def power(a: Any, b: Any) -> Any:
    if type(a) is not Decimal or type(b) is not Decimal:
        return None
    try:
        if b == b.to_integral_value() and abs(b) > 999_999_999:
            raise OverflowError
        result = CTX.power(a, b)
        if STRICT_DIVISION.get() and result.adjusted() > _MAX_DIGITS:
            raise OverflowError
        return result
    except (OverflowError, decimal.Overflow):
        if STRICT_DIVISION.get():
            raise EvalFailure(f"the result would exceed {MAX_INT_BITS} bits") from None
        return None
    except (ValueError, DecimalException):
        return None


def negate(value: Any) -> Any:
    kind = type(value)
    if kind is Decimal:
        return CTX.minus(value)
    if kind is DaysTime:
        return DaysTime(-value.nanos)
    if kind is YearsMonths:
        return YearsMonths(-value.months)
    return None
