"""What a variable value may be so that both databases store it and give it back equal:
JSON-like values (None, bool, int, finite float, str, list, mapping with scalar keys) and
the dates/durations/decimals the JSON encoder writes as text. Strings may hold neither a
NUL character (PostgreSQL refuses it) nor a lone surrogate (not UTF-8)."""

from __future__ import annotations

import math
import re
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

MAX_DEPTH = 100
"""Deepest nesting of lists and mappings a stored value may have."""

MAX_INT_DIGITS = 1_000
"""Largest integer (in decimal digits) a stored value may hold."""

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_TEXT_TYPES = (datetime, date, time, timedelta, uuid.UUID)
_KEY_TYPES = (str, int, float, bool)
_INT_LIMIT = 10**MAX_INT_DIGITS


def unstorable(value: Any) -> str | None:
    """Why ``value`` cannot be stored, or None when it can."""
    return _check(value, 0)


def _check(value: Any, depth: int) -> str | None:
    kind = type(value)
    if value is None or kind is bool:
        return None
    if kind is str:
        return _text(value)
    if kind is int:
        return (
            None if -_INT_LIMIT < value < _INT_LIMIT else f"an integer over {MAX_INT_DIGITS} digits"
        )
    if kind is float:
        return None if math.isfinite(value) else f"{value} is not a finite number"
    if kind in (list, tuple, dict):
        if depth >= MAX_DEPTH:
            return f"it is nested deeper than {MAX_DEPTH} levels"
        if kind is dict:
            for key in value:
                if type(key) not in _KEY_TYPES and key is not None:
                    return f"a mapping key is a {type(key).__name__}"
                if type(key) is str and (problem := _text(key)) is not None:
                    return problem
            items = value.values()
        else:
            items = value
        for item in items:
            problem = _check(item, depth + 1)
            if problem is not None:
                return problem
        return None
    if isinstance(value, _TEXT_TYPES):
        return None
    if kind is Decimal:
        return None if value.is_finite() else f"{value} is not a finite number"
    return f"a {kind.__name__} is not a JSON value"


def _text(text: str) -> str | None:
    match = _BAD_TEXT.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "a text contains a NUL character (\\u0000)"
    return "a text contains a lone surrogate (not valid UTF-8)"
