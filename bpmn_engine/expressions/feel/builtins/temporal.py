"""Temporal functions: constructors, conversions and calendar properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from ...temporal import parse_duration as bpmn_duration
from ..temporal import parse_date, parse_datetime, parse_duration, parse_time
from ..types import YearsMonths
from .registry import STRICT, builtin, need

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _int(value: Any) -> int:
    need(type(value) is Decimal and value == value.to_integral_value())
    return int(value)


def _day(value: Any) -> date:
    need(type(value) in (date, datetime))
    return value if type(value) is date else value.date()


@builtin("date", "from", "year, month, day")
def date_(*args: Any) -> Any:
    if len(args) == 3:
        return date(_int(args[0]), _int(args[1]), _int(args[2]))
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
        micro = int((second - whole) * 1_000_000)
        zone = None
        if len(args) == 4 and args[3] is not None:
            need(type(args[3]) is timedelta)
            zone = timezone(args[3])
        return time(_int(args[0]), _int(args[1]), whole, micro, tzinfo=zone)
    value = args[0]
    if type(value) is str:
        return parse_time(value)
    if type(value) is datetime:
        return value.timetz()
    if type(value) is date:
        return time(0, 0, 0, tzinfo=UTC)
    need(type(value) is time)
    return value


@builtin("date and time", "from", "date, time")
def date_and_time(*args: Any) -> Any:
    if len(args) == 2:
        day, clock = args
        need(type(day) in (date, datetime) and type(clock) is time)
        return datetime.combine(_day(day), clock)
    value = args[0]
    if type(value) is str:
        return parse_datetime(value)
    need(type(value) in (date, datetime))
    return value if type(value) is datetime else datetime(value.year, value.month, value.day)


@builtin("duration", "from")
def duration(text: Any) -> Any:
    need(type(text) is str)
    if STRICT.get():  # BPMN expressions: the engine's one duration grammar (weeks too)
        return bpmn_duration(text)
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
    return datetime.now(UTC)


@builtin("today")
def today() -> Any:
    return datetime.now(UTC).date()


@builtin("day of year", "date")
def day_of_year(value: Any) -> Any:
    return Decimal(_day(value).timetuple().tm_yday)


@builtin("day of week", "date")
def day_of_week(value: Any) -> Any:
    return _WEEKDAYS[_day(value).weekday()]


@builtin("month of year", "date")
def month_of_year(value: Any) -> Any:
    return _MONTHS[_day(value).month - 1]


@builtin("week of year", "date")
def week_of_year(value: Any) -> Any:
    return Decimal(_day(value).isocalendar()[1])


@builtin("last day of month", "date")
def last_day_of_month(value: Any) -> Any:
    import calendar

    day = _day(value)
    return Decimal(calendar.monthrange(day.year, day.month)[1])
