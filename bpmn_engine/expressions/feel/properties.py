"""Path expressions: context entries, list projection and properties of temporal values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .chrono import DAY_NS, NS, DaysTime, FeelDate, FeelDateTime, FeelTime
from .types import Range, YearsMonths


def _zone_offset(value: FeelTime | FeelDateTime) -> DaysTime | None:
    if value.zone is None:
        return None
    if type(value) is FeelTime and value.zone.utcoffset(None) is None:
        return None  # a named zone has no offset without a date
    offset = value.offset()
    return None if offset is None else DaysTime(offset * NS)


def _zone_name(value: FeelTime | FeelDateTime) -> str | None:
    zone = value.zone
    return zone.key if isinstance(zone, ZoneInfo) else None


def _duration_part(value: DaysTime, part: str) -> Decimal:
    sign = -1 if value.nanos < 0 else 1
    days, rest = divmod(abs(value.nanos), DAY_NS)
    seconds = rest // NS
    parts = {
        "days": days,
        "hours": seconds // 3600,
        "minutes": seconds // 60 % 60,
        "seconds": seconds % 60,
    }
    return Decimal(sign * parts[part])


_CLOCK = {
    "hour": lambda nanos: nanos // (3600 * NS),
    "minute": lambda nanos: nanos // (60 * NS) % 60,
    "second": lambda nanos: nanos // NS % 60,
}


def member(value: Any, name: str) -> Any:
    """``value.name``."""
    kind = type(value)
    if kind is dict:
        return value.get(name)
    if kind is list:
        return [member(item, name) for item in value]
    if kind is FeelDate or kind is FeelDateTime:
        day = value if kind is FeelDate else value.date
        if name in ("year", "month", "day"):
            return Decimal(getattr(day, name))
        if name == "weekday":
            return Decimal(day.weekday)
    if kind is FeelTime or kind is FeelDateTime:
        if name in _CLOCK:
            return Decimal(_CLOCK[name](value.nanos))
        if name == "time offset":
            return _zone_offset(value)
        if name == "timezone":
            return _zone_name(value)
    if kind is DaysTime and name in ("days", "hours", "minutes", "seconds"):
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
