"""Temporal functions: constructors, conversions and calendar properties."""

from __future__ import annotations

from datetime import UTC, datetime, timezone
from decimal import Decimal
from typing import Any

from ...temporal import parse_duration as bpmn_duration
from ..chrono import NS, DaysTime, FeelDate, FeelDateTime, FeelTime, from_python, month_days
from ..temporal import parse_date, parse_datetime, parse_duration, parse_time
from ..types import YearsMonths
from .registry import STRICT, builtin, need

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _int(value: Any) -> int:
    need(type(value) is Decimal and value == value.to_integral_value())
    return int(value)


def _day(value: Any) -> FeelDate:
    need(type(value) is FeelDate or type(value) is FeelDateTime)
    return value if type(value) is FeelDate else value.date


@builtin("date", "from", "year, month, day")
def date_(*args: Any) -> Any:
    if len(args) == 3:
        return FeelDate(_int(args[0]), _int(args[1]), _int(args[2]))
    value = args[0]
    if type(value) is str:
        return parse_date(value)
    return _day(value)


@builtin("time", "from", "hour, minute, second, offset?")
def time_(*args: Any) -> Any:
    if len(args) >= 3:
        second = args[2]
        need(type(second) is Decimal)
        whole = int(second)
        nano = int((second - whole) * NS)
        zone = None
        if len(args) == 4 and args[3] is not None:
            need(type(args[3]) is DaysTime)
            zone = timezone(from_python_offset(args[3]))
        return FeelTime.of(_int(args[0]), _int(args[1]), whole, nano, zone)
    value = args[0]
    if type(value) is str:
        return parse_time(value)
    if type(value) is FeelDateTime:
        return value.time()
    if type(value) is FeelDate:
        return FeelTime(0, UTC)
    need(type(value) is FeelTime)
    return value


def from_python_offset(value: DaysTime) -> Any:
    """A duration given as a time offset, as Python's ``timedelta`` (whole seconds)."""
    need(value.nanos % NS == 0)
    plain = value.to_python()
    need(plain is not None)
    return plain


@builtin("date and time", "from", "date, time")
def date_and_time(*args: Any) -> Any:
    if len(args) == 2:
        day, clock = args
        need(type(clock) is FeelTime)
        return FeelDateTime(_day(day), clock.nanos, clock.zone)
    value = args[0]
    if type(value) is str:
        return parse_datetime(value)
    if type(value) is FeelDateTime:
        return value
    return FeelDateTime(_day(value), 0)


@builtin("duration", "from")
def duration(text: Any) -> Any:
    need(type(text) is str)
    if STRICT.get():  # BPMN expressions: the engine's one duration grammar (weeks too)
        return from_python(bpmn_duration(text))
    return parse_duration(text)


@builtin("years and months duration", "from, to")
def years_and_months_duration(start: Any, end: Any) -> Any:
    a, b = _day(start), _day(end)
    months = (b.year - a.year) * 12 + b.month - a.month
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    return YearsMonths(months)


@builtin("now")
def now() -> Any:
    return FeelDateTime.from_python(datetime.now(UTC))


@builtin("today")
def today() -> Any:
    return FeelDate.from_python(datetime.now(UTC).date())


@builtin("day of year", "date")
def day_of_year(value: Any) -> Any:
    day = _day(value)
    return Decimal(day.days - FeelDate(day.year, 1, 1).days + 1)


@builtin("day of week", "date")
def day_of_week(value: Any) -> Any:
    return _WEEKDAYS[_day(value).weekday - 1]


@builtin("month of year", "date")
def month_of_year(value: Any) -> Any:
    return _MONTHS[_day(value).month - 1]


@builtin("week of year", "date")
def week_of_year(value: Any) -> Any:
    """The ISO 8601 week number: weeks start on Monday, week 1 holds the year's first
    Thursday."""
    day = _day(value)
    thursday = day.days - day.weekday + 4  # the Thursday of this ISO week
    year = FeelDate.from_days(thursday).year
    return Decimal((thursday - FeelDate(year, 1, 1).days) // 7 + 1)


@builtin("last day of month", "date")
def last_day_of_month(value: Any) -> Any:
    day = _day(value)
    return Decimal(month_days(day.year, day.month))
