"""Date, date-time and duration helpers (FEEL ``date()``, ``date and time()``, ...).

Date-times are timezone-aware: text without an offset is taken as UTC. Durations map to
``timedelta``; year-month durations (``P1Y``, ``P2M``) have no fixed length and are refused.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from .durations import scan_duration
from .errors import EvalFailure
from .values import type_name

_MAX_TEXT = 64


def _text(value: Any, fname: str) -> str:
    if type(value) is not str:
        raise EvalFailure(f"{fname}() expects a string, got {type_name(value)}")
    if len(value) > _MAX_TEXT:
        raise EvalFailure(f"{fname}() argument is too long")
    return value.strip()


def parse_date(value: Any, *more: Any) -> date | None:
    """``date("2024-01-01")``, ``date(2024, 1, 1)`` or the date part of a date-time."""
    if more:
        parts = (value, *more)
        if len(parts) != 3 or any(type(p) is not int for p in parts):
            raise EvalFailure("date() expects a string or year, month and day numbers")
        try:
            return date(*parts)
        except ValueError as exc:
            raise EvalFailure(f"invalid date: {exc}") from None
    if value is None:
        return None
    if type(value) is datetime:
        return value.date()
    if type(value) is date:
        return value
    text = _text(value, "date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise EvalFailure(f"invalid date {text!r}") from None


def parse_datetime(value: Any) -> datetime | None:
    """``date and time("2024-01-01T10:00:00Z")``; naive text is taken as UTC."""
    if value is None:
        return None
    if type(value) is datetime:
        result = value
    elif type(value) is date:
        result = datetime(value.year, value.month, value.day)
    else:
        text = _text(value, "date and time")
        try:
            result = datetime.fromisoformat(text)
        except ValueError:
            raise EvalFailure(f"invalid date and time {text!r}") from None
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result


def parse_duration(value: Any) -> timedelta | None:
    """``duration("P1DT2H30M")`` as a ``timedelta`` (weeks, days, hours, minutes, seconds;
    the grammar of ``durations``); year-month durations are refused."""
    if value is None:
        return None
    if type(value) is timedelta:
        return value
    text = _text(value, "duration").upper()
    parts = scan_duration(text)
    if parts is None:
        raise EvalFailure(f"invalid duration {text!r}")
    if parts.years is not None or parts.months is not None:
        raise EvalFailure(f"year-month duration {text!r} is not supported")
    try:
        result = timedelta(**{name: float(v) for name, v in parts.given().items()})
    except OverflowError:
        raise EvalFailure(f"duration {text!r} is out of range") from None
    return -result if parts.negative else result


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(UTC).date()


_DATE_PROPERTIES = {
    "year": lambda d: d.year,
    "month": lambda d: d.month,
    "day": lambda d: d.day,
    "weekday": lambda d: d.isoweekday(),
}
_TIME_PROPERTIES = {
    "hour": lambda d: d.hour,
    "minute": lambda d: d.minute,
    "second": lambda d: d.second,
}
_DURATION_PROPERTIES = {
    "days": lambda t: t.days,
    "hours": lambda t: t.seconds // 3600,
    "minutes": lambda t: t.seconds // 60 % 60,
    "seconds": lambda t: t.seconds % 60,
    "total_seconds": lambda t: t.total_seconds(),
}


def temporal_property(value: Any, name: str) -> Any:
    """Whitelisted properties of dates (``year``...), date-times (``hour``...) and
    durations (``days``...); ``KeyError`` when there is none."""
    if type(value) is timedelta:
        return _DURATION_PROPERTIES[name](value)
    if type(value) is datetime and name in _TIME_PROPERTIES:
        return _TIME_PROPERTIES[name](value)
    return _DATE_PROPERTIES[name](value)
