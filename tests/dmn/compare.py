"""Comparing an evaluation result with a TCK expected value."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from bpmn_engine.expressions.feel.chrono import NS, FeelDateTime, FeelTime
from bpmn_engine.expressions.feel.values import equal

_TOLERANCE = Decimal("1E-10")
"""Relative difference accepted between numbers: many TCK expected values were computed in
binary floating point (e.g. ``2878.6935494327668``), where FEEL computes 34 decimal digits."""


_MIN_DIGITS = 8
"""An expected value of at least this many significant digits also matches a result that
rounds to it (e.g. ``0.36787944`` for ``exp(-1)``) or is cut to it (``-0.88796890`` for
``cos(123)``, -0.8879689066...)."""


def _digits(value: Decimal) -> int:
    return len(value.as_tuple().digits)


def same(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if type(expected) is list:
        return (
            type(actual) is list
            and len(actual) == len(expected)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if type(expected) is dict:
        return (
            type(actual) is dict
            and set(expected) == set(actual)
            and all(same(v, actual[k]) for k, v in expected.items())
        )
    if type(expected) is Decimal and type(actual) is Decimal:
        return (
            expected == actual
            or abs(expected - actual) <= _TOLERANCE * max(abs(expected), 1)
            or (
                _digits(expected) >= _MIN_DIGITS
                and expected
                in (actual.quantize(expected), actual.quantize(expected, rounding=ROUND_DOWN))
            )
        )
    if type(expected) in (FeelDateTime, FeelTime) and type(actual) is type(expected):
        # FEEL's = compares these by whole seconds; a result must match to the nanosecond
        if (expected.zone is None) != (actual.zone is None):
            return False
        if expected.nanos % NS != actual.nanos % NS:
            return False
    return equal(expected, actual) is True
