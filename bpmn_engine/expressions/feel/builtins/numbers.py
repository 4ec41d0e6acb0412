"""Numeric functions (decimal arithmetic in FEEL's 34-digit context)."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from ...errors import EvalFailure
from ...limits import MAX_ROUND_DIGITS
from ..chrono import DaysTime
from ..types import CTX, YearsMonths
from .registry import STRICT, builtin, need


def _num(value: Any) -> Decimal:
    need(type(value) is Decimal)
    return value


_DMN_SCALES = (-6111, 6176)
_NO_SCALE = object()  # an omitted scale means 0; a null scale gives null


def _scale(value: Any) -> int:
    scale = _num(value).to_integral_value(decimal.ROUND_DOWN)  # 2.5 -> 2, as the TCK has it
    if STRICT.get() and not -MAX_ROUND_DIGITS <= scale <= MAX_ROUND_DIGITS:
        raise EvalFailure(f"digits must be between -{MAX_ROUND_DIGITS} and {MAX_ROUND_DIGITS}")
    need(_DMN_SCALES[0] <= scale <= _DMN_SCALES[1])
    return int(scale)


def _round(value: Any, scale: Any, mode: str) -> Decimal:
    number, places = _num(value), _scale(scale)
    if -number.as_tuple().exponent <= places:  # type: ignore[operator]
        return number
    return number.quantize(Decimal(1).scaleb(-places), rounding=mode, context=CTX)


@builtin("decimal", "n, scale")
def decimal_(value: Any, scale: Any) -> Any:
    return _round(value, scale, decimal.ROUND_HALF_EVEN)


@builtin("floor", "n, scale?")
def floor(value: Any, scale: Any = _NO_SCALE) -> Any:
    return _round(value, Decimal(0) if scale is _NO_SCALE else scale, decimal.ROUND_FLOOR)


@builtin("ceiling", "n, scale?")
def ceiling(value: Any, scale: Any = _NO_SCALE) -> Any:
    return _round(value, Decimal(0) if scale is _NO_SCALE else scale, decimal.ROUND_CEILING)


@builtin("round up", "n, scale?")
def round_up(value: Any, scale: Any = _NO_SCALE) -> Any:
    return _round(value, Decimal(0) if scale is _NO_SCALE else scale, decimal.ROUND_UP)


@builtin("round down", "n, scale?")
def round_down(value: Any, scale: Any = _NO_SCALE) -> Any:
    return _round(value, Decimal(0) if scale is _NO_SCALE else scale, decimal.ROUND_DOWN)


@builtin("round half up", "n, scale?")
def round_half_up(value: Any, scale: Any = _NO_SCALE) -> Any:
    return _round(value, Decimal(0) if scale is _NO_SCALE else scale, decimal.ROUND_HALF_UP)


@builtin("round half down", "n, scale?")
def round_half_down(value: Any, scale: Any = _NO_SCALE) -> Any:
    return _round(value, Decimal(0) if scale is _NO_SCALE else scale, decimal.ROUND_HALF_DOWN)


@builtin("abs", "n")
def abs_(value: Any) -> Any:
    if type(value) is DaysTime:
        return DaysTime(abs(value.nanos))
    if type(value) is YearsMonths:
        return YearsMonths(abs(value.months))
    return CTX.abs(_num(value))


@builtin("modulo", "dividend, divisor")
def modulo(dividend: Any, divisor: Any) -> Any:
    a, b = _num(dividend), _num(divisor)
    need(b != 0)
    return CTX.subtract(a, CTX.multiply(b, _floor_div(a, b)))


def _floor_div(a: Decimal, b: Decimal) -> Decimal:
    return CTX.divide(a, b).to_integral_value(rounding=decimal.ROUND_FLOOR)


@builtin("sqrt", "number")
def sqrt(value: Any) -> Any:
    number = _num(value)
    need(number >= 0)
    return CTX.sqrt(number)


@builtin("log", "number")
def log(value: Any) -> Any:
    number = _num(value)
    need(number > 0)
    return CTX.ln(number)


@builtin("exp", "number")
def exp(value: Any) -> Any:
    return CTX.exp(_num(value))


@builtin("odd", "number")
def odd(value: Any) -> Any:
    number = _num(value)
    need(number == number.to_integral_value())
    return int(number) % 2 == 1


@builtin("even", "number")
def even(value: Any) -> Any:
    number = _num(value)
    need(number == number.to_integral_value())
    return int(number) % 2 == 0
