"""FEEL arithmetic: numbers (decimal), strings, temporal values and durations.

Every operator returns null for operands it does not define (FEEL's null semantics).
"""

from __future__ import annotations

import calendar
import decimal
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from decimal import Decimal, DecimalException
from typing import Any

from ..errors import EvalFailure
from ..limits import MAX_INT_BITS
from .types import CTX, YearsMonths
from .values import is_aware

STRICT_DIVISION: ContextVar[bool] = ContextVar("feel_strict_division", default=False)
"""Set for BPMN expressions, where dividing by zero and numeric overflow are errors (DMN
gives null)."""


_MAX_DIGITS = int(MAX_INT_BITS * 0.30103)  # decimal digits of 2 ** MAX_INT_BITS


def zero_division() -> None:
    if STRICT_DIVISION.get():
        raise EvalFailure("division by zero")
    return None


def add_months(value: date, months: int) -> date:
    """``value`` moved by ``months``, the day clamped to the target month's length."""
    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def _shift(value: Any, delta: Any) -> Any:
    kind = type(value)
    if type(delta) is YearsMonths:
        if kind in (date, datetime):
            return add_months(value, delta.months)
        return None
    if kind is datetime:
        return value + delta
    if kind is date:
        return (datetime(value.year, value.month, value.day) + delta).date()
    if kind is time:
        moved = datetime(2000, 1, 1, value.hour, value.minute, value.second, value.microsecond)
        moved += delta
        return moved.time().replace(tzinfo=value.tzinfo)
    return None


def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return CTX.add(a, b)
        if ta is str and tb is str:
            return a + b
        if ta is tb and ta in (timedelta, YearsMonths):
            return a + b if ta is timedelta else YearsMonths(a.months + b.months)
        if tb in (timedelta, YearsMonths) and ta in (date, datetime, time):
            return _shift(a, b)
        if ta in (timedelta, YearsMonths) and tb in (date, datetime, time):
            return _shift(b, a)
    except (OverflowError, ValueError, DecimalException):
        return None
    return None


def sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return CTX.subtract(a, b)
        if ta is tb and ta is timedelta:
            return a - b
        if ta is tb and ta is YearsMonths:
            return YearsMonths(a.months - b.months)
        if tb is timedelta and ta in (date, datetime, time):
            return _shift(a, -b)
        if tb is YearsMonths and ta in (date, datetime):
            return add_months(a, -b.months)
        if ta is tb and ta in (date, datetime):
            if ta is datetime and is_aware(a) != is_aware(b):
                return None
            return a - b
        if ta is time and tb is time:
            if is_aware(a) != is_aware(b):
                return None
            day = date(2000, 1, 1)
            return datetime.combine(day, a) - datetime.combine(day, b)
    except (OverflowError, ValueError, DecimalException):
        return None
    return None


def _scale(value: Any, factor: Decimal) -> Any:
    if type(value) is timedelta:
        micro = CTX.multiply(Decimal(value // timedelta(microseconds=1)), factor)
        return timedelta(microseconds=int(micro))
    months = CTX.multiply(Decimal(value.months), factor)
    return YearsMonths(int(months))


def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return CTX.multiply(a, b)
        if ta in (timedelta, YearsMonths) and tb is Decimal:
            return _scale(a, b)
        if tb in (timedelta, YearsMonths) and ta is Decimal:
            return _scale(b, a)
    except (OverflowError, ValueError, DecimalException):
        return None
    return None


def div(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return zero_division() if not b else CTX.divide(a, b)
        if ta in (timedelta, YearsMonths) and tb is Decimal:
            return None if not b else _scale(a, CTX.divide(1, b))
        if ta is tb is timedelta:
            return None if not b else CTX.divide(_micros(a), _micros(b))
        if ta is tb is YearsMonths:
            return None if not b.months else CTX.divide(a.months, b.months)
    except (OverflowError, ValueError, DecimalException):
        return None
    return None


def _micros(value: timedelta) -> Decimal:
    return Decimal(value // timedelta(microseconds=1))


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
    if kind is timedelta:
        return -value
    if kind is YearsMonths:
        return YearsMonths(-value.months)
    return None
