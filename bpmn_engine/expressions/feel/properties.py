"""Path expressions: context entries, list projection and properties of temporal values."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .types import Range, YearsMonths


def _zone_offset(value: time | datetime) -> timedelta | None:
    if value.tzinfo is None:
        return None
    when = value if isinstance(value, datetime) else None
    return value.tzinfo.utcoffset(when)


def _zone_name(value: time | datetime) -> str | None:
    zone = value.tzinfo
    return zone.key if isinstance(zone, ZoneInfo) else None


def _seconds(value: timedelta) -> Decimal:
    sign = -1 if value < timedelta(0) else 1
    return Decimal(sign * (abs(value).seconds % 60))


def _duration_part(value: timedelta, part: str) -> Decimal:
    sign = -1 if value < timedelta(0) else 1
    magnitude = abs(value)
    parts = {
        "days": magnitude.days,
        "hours": magnitude.seconds // 3600,
        "minutes": magnitude.seconds % 3600 // 60,
        "seconds": magnitude.seconds % 60,
    }
    return Decimal(sign * parts[part])


def member(value: Any, name: str) -> Any:
    """``value.name``."""
    kind = type(value)
    if kind is dict:
        return value.get(name)
    if kind is list:
        return [member(item, name) for item in value]
    if kind in (date, datetime) and name in ("year", "month", "day"):
        return Decimal(getattr(value, name))
    if kind in (date, datetime) and name == "weekday":
        return Decimal(value.isoweekday())
    if kind in (time, datetime):
        if name in ("hour", "minute", "second"):
            return Decimal(getattr(value, name))
        if name == "time offset":
            return _zone_offset(value)
        if name == "timezone":
            return _zone_name(value)
    if kind is timedelta and name in ("days", "hours", "minutes", "seconds"):
        return _duration_part(value, name)
    if kind is YearsMonths and name in ("years", "months"):
        sign = -1 if value.months < 0 else 1
        years, months = divmod(abs(value.months), 12)
        return Decimal(sign * (years if name == "years" else months))
    if kind is Range:
        props = {
            "start": value.start,
            "end": value.end,
            "start included": value.start_closed,
            "end included": value.end_closed,
        }
        return props.get(name)
    return None
