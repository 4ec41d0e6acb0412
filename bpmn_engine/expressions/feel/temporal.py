"""FEEL temporal literals: parsing and printing dates, times, date-times and durations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..durations import scan_duration
from .types import YearsMonths

_DATE = r"(-?\d{4,9})-(\d\d)-(\d\d)"
_TIME = r"(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d(?::\d\d)?|@[A-Za-z0-9_/+\-]+)?"
DATE_RE = re.compile(_DATE + r"\Z")
TIME_RE = re.compile(_TIME + r"\Z")
DATETIME_RE = re.compile(_DATE + "T" + _TIME + r"\Z")
_MAX_TEXT = 80


def parse_zone(text: str | None) -> tzinfo | None:
    """``Z``, ``+01:00`` or ``@Europe/Paris`` to a tzinfo; ``None`` for a local value."""
    if not text:
        return None
    if text == "Z":
        return UTC
    if text[0] == "@":
        try:
            return ZoneInfo(text[1:])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {text[1:]!r}") from exc
    sign = -1 if text[0] == "-" else 1
    parts = [int(p) for p in text[1:].split(":")]
    offset = timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0)
    if offset > timedelta(hours=18):
        raise ValueError("time offset out of range")
    return timezone(sign * offset)


def _micro(fraction: str | None) -> int:
    return int((fraction[1:] + "000000")[:6]) if fraction else 0


def parse_date(text: str) -> date:
    match = DATE_RE.match(text) if len(text) <= _MAX_TEXT else None
    if not match:
        raise ValueError(f"invalid date {text[:_MAX_TEXT]!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"invalid date {text!r}: {exc}") from None


def parse_time(text: str) -> time:
    match = TIME_RE.match(text) if len(text) <= _MAX_TEXT else None
    if not match:
        raise ValueError(f"invalid time {text[:_MAX_TEXT]!r}")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    if hour == 24 and minute == 0 and second == 0:
        hour = 0
    try:
        return time(hour, minute, second, _micro(match[4]), tzinfo=parse_zone(match[5]))
    except ValueError as exc:
        raise ValueError(f"invalid time {text!r}: {exc}") from None


def parse_datetime(text: str) -> datetime:
    match = DATETIME_RE.match(text) if len(text) <= _MAX_TEXT else None
    if not match:
        if DATE_RE.match(text):
            day = parse_date(text)
            return datetime(day.year, day.month, day.day)
        raise ValueError(f"invalid date and time {text[:_MAX_TEXT]!r}")
    hour = int(match[4])
    extra = timedelta(0)
    if hour == 24:
        hour, extra = 0, timedelta(days=1)
    try:
        value = _datetime(match, hour)
    except ValueError as exc:
        raise ValueError(f"invalid date and time {text!r}: {exc}") from None
    return value + extra


def _datetime(match: re.Match[str], hour: int) -> datetime:
    return datetime(
        int(match[1]),
        int(match[2]),
        int(match[3]),
        hour,
        int(match[5]),
        int(match[6]),
        _micro(match[7]),
        tzinfo=parse_zone(match[8]),
    )


def parse_duration(text: str) -> timedelta | YearsMonths:
    """A FEEL duration: the engine's grammar (``durations``) in FEEL's profile, years and
    months (``P1Y2M``) or days and time (``P1DT2H``), a fraction on seconds only."""
    if len(text) > _MAX_TEXT:
        raise ValueError("duration text too long")
    parts = scan_duration(text)
    if parts is None or parts.weeks is not None or parts.comma or parts.fractional() - {"seconds"}:
        raise ValueError(f"invalid duration {text[:_MAX_TEXT]!r}")
    year_month = parts.years is not None or parts.months is not None
    if year_month:
        if len(parts.given()) > int(parts.years is not None) + int(parts.months is not None):
            raise ValueError(f"invalid duration {text[:_MAX_TEXT]!r}")
        months = int(parts.years or 0) * 12 + int(parts.months or 0)
        return YearsMonths(-months if parts.negative else months)
    seconds = parts.seconds or Decimal(0)
    value = timedelta(
        days=int(parts.days or 0),
        hours=int(parts.hours or 0),
        minutes=int(parts.minutes or 0),
        seconds=int(seconds),
        microseconds=int((seconds % 1) * 1_000_000),
    )
    return -value if parts.negative else value


def parse_temporal(text: str) -> date | time | datetime | timedelta | YearsMonths:
    """The value of an ``@"..."`` literal."""
    if text.lstrip("-").startswith("P"):
        return parse_duration(text)
    if "T" in text.partition("@")[0]:  # not the T of a zone name (``@Etc/GMT``)
        return parse_datetime(text)
    if DATE_RE.match(text):
        return parse_date(text)
    return parse_time(text)


def format_zone(zone: tzinfo | None, when: datetime | None = None) -> str:
    if zone is None:
        return ""
    if isinstance(zone, ZoneInfo):
        return "@" + zone.key
    offset = zone.utcoffset(when)
    if offset is None:
        return ""
    if not offset:
        return "Z"
    sign = "-" if offset < timedelta(0) else "+"
    total = int(abs(offset).total_seconds())
    text = f"{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"
    return text + (f":{total % 60:02d}" if total % 60 else "")


def _clock(value: time | datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def format_date(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_time(value: time) -> str:
    return _clock(value) + format_zone(value.tzinfo)


def format_datetime(value: datetime) -> str:
    return format_date(value) + "T" + _clock(value) + format_zone(value.tzinfo, value)


def format_duration(value: timedelta) -> str:
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{value.days}D" if value.days else ""
    clock = f"{hours}H" if hours else ""
    clock += f"{minutes}M" if minutes else ""
    if value.microseconds:
        clock += f"{seconds}.{value.microseconds:06d}".rstrip("0") + "S"
    elif seconds:
        clock += f"{seconds}S"
    if not text and not clock:
        return "PT0S"
    return f"{sign}P{text}{'T' + clock if clock else ''}"


def format_years_months(value: YearsMonths) -> str:
    sign = "-" if value.months < 0 else ""
    years, months = divmod(abs(value.months), 12)
    text = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
    return f"{sign}P{text}"
