"""FEEL temporal literals: parsing and printing dates, times, date-times and durations.

Years run from -999,999,999 to 999,999,999 (more than four digits only without a
leading zero), fractions of a second to nine digits (further digits are cut), and
``24:00:00`` is the midnight that ends a day (see :mod:`.chrono` for the values).
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..durations import scan_duration
from .chrono import DAY_NS, NS, DaysTime, FeelDate, FeelDateTime, FeelTime
from .types import YearsMonths

_DATE = r"(-?(?:[1-9]\d{4,8}|\d{4}))-(\d\d)-(\d\d)"
_TIME = r"(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d(?::\d\d)?|@[A-Za-z0-9_/+\-]+)?"
DATE_RE = re.compile(_DATE + r"\Z")
TIME_RE = re.compile(_TIME + r"\Z")
DATETIME_RE = re.compile(_DATE + "T" + _TIME + r"\Z")
_MAX_TEXT = 80


@lru_cache(maxsize=256)
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


def _nanos(fraction: str | None) -> int:
    return int((fraction[1:] + "000000000")[:9]) if fraction else 0


def parse_date(text: str) -> FeelDate:
    match = DATE_RE.match(text) if len(text) <= _MAX_TEXT else None
    if not match:
        raise ValueError(f"invalid date {text[:_MAX_TEXT]!r}")
    try:
        return FeelDate(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"invalid date {text!r}: {exc}") from None


def _clock(match: re.Match[str], first: int) -> tuple[int, tzinfo | None]:
    """Nanoseconds of the day (``24:00:00``: a whole day) and the zone of a time match
    whose hour is group ``first``."""
    hour, minute, second = int(match[first]), int(match[first + 1]), int(match[first + 2])
    nano = _nanos(match[first + 3])
    zone = parse_zone(match[first + 4])
    if hour == 24 and minute == 0 and second == 0 and nano == 0:
        return DAY_NS, zone
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("hour, minute or second out of range")
    return ((hour * 60 + minute) * 60 + second) * NS + nano, zone


def parse_time(text: str) -> FeelTime:
    match = TIME_RE.match(text) if len(text) <= _MAX_TEXT else None
    if not match:
        raise ValueError(f"invalid time {text[:_MAX_TEXT]!r}")
    try:
        nanos, zone = _clock(match, 1)
    except ValueError as exc:
        raise ValueError(f"invalid time {text!r}: {exc}") from None
    return FeelTime(nanos % DAY_NS, zone)


def parse_datetime(text: str) -> FeelDateTime:
    match = DATETIME_RE.match(text) if len(text) <= _MAX_TEXT else None
    if not match:
        if DATE_RE.match(text):
            return FeelDateTime(parse_date(text), 0)
        raise ValueError(f"invalid date and time {text[:_MAX_TEXT]!r}")
    try:
        day = FeelDate(int(match[1]), int(match[2]), int(match[3]))
        nanos, zone = _clock(match, 4)
        if nanos == DAY_NS:
            return FeelDateTime(FeelDate.from_days(day.days + 1), 0, zone)
        return FeelDateTime(day, nanos, zone)
    except ValueError as exc:
        raise ValueError(f"invalid date and time {text!r}: {exc}") from None


def parse_duration(text: str) -> DaysTime | YearsMonths:
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
    seconds = (int(parts.days or 0) * 24 + int(parts.hours or 0)) * 3600
    seconds += int(parts.minutes or 0) * 60
    nanos = seconds * NS + int((parts.seconds or 0) * NS)
    return DaysTime(-nanos if parts.negative else nanos)


def parse_temporal(text: str) -> FeelDate | FeelTime | FeelDateTime | DaysTime | YearsMonths:
    """The value of an ``@"..."`` literal."""
    if text.lstrip("-").startswith("P"):
        return parse_duration(text)
    if "T" in text.partition("@")[0]:  # not the T of a zone name (``@Etc/GMT``)
        return parse_datetime(text)
    if DATE_RE.match(text):
        return parse_date(text)
    return parse_time(text)


def format_offset(seconds: int) -> str:
    if not seconds:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    total = abs(seconds)
    text = f"{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"
    return text + (f":{total % 60:02d}" if total % 60 else "")


def format_zone(zone: tzinfo | None) -> str:
    if zone is None:
        return ""
    if isinstance(zone, ZoneInfo):
        return "@" + zone.key
    offset = zone.utcoffset(None)
    return "" if offset is None else format_offset(int(offset.total_seconds()))


def _fraction(nanos: int) -> str:
    return f".{nanos:09d}".rstrip("0") if nanos else ""


def format_clock(nanos: int) -> str:
    seconds, fraction = divmod(nanos, NS)
    clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return clock + _fraction(fraction)


def format_date(value: FeelDate) -> str:
    sign = "-" if value.year < 0 else ""
    return f"{sign}{abs(value.year):04d}-{value.month:02d}-{value.day:02d}"


def format_time(value: FeelTime) -> str:
    return format_clock(value.nanos) + format_zone(value.zone)


def format_datetime(value: FeelDateTime) -> str:
    return format_date(value.date) + "T" + format_clock(value.nanos) + format_zone(value.zone)


def format_duration(value: DaysTime) -> str:
    sign = "-" if value.nanos < 0 else ""
    days, rest = divmod(abs(value.nanos), DAY_NS)
    seconds, fraction = divmod(rest, NS)
    hours, minutes, seconds = seconds // 3600, seconds // 60 % 60, seconds % 60
    text = f"{days}D" if days else ""
    clock = f"{hours}H" if hours else ""
    clock += f"{minutes}M" if minutes else ""
    if fraction:
        clock += f"{seconds}{_fraction(fraction)}S"
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
