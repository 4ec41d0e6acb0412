"""FEEL's temporal values: dates, times, date-times and days-and-time durations with years
from -999,999,999 to 999,999,999 and nanosecond precision (DMN 1.5, 10.3.2.3).

Python's ``date``/``datetime`` hold years 1-9999 and microseconds, so FEEL keeps small
types of its own, all integers inside: a date is its proleptic Gregorian day number
(days since 1970-01-01, year 0 included, as in ISO 8601) with its year, month and day;
a time is nanoseconds of the day with an optional zone; a date and time is a date,
nanoseconds of the day and an optional zone; a days-and-time duration is a count of
nanoseconds. Zones are ``tzinfo`` objects: fixed offsets as such, named zones through
``zoneinfo`` at the same wall-clock date moved by whole 400-year cycles into years
1-9999 (the Gregorian calendar repeats every 400 years, and so do the zone rules
beyond the last transition of the tz database). Python values convert both ways at
the edges (``from_python``/``to_python``: None when Python cannot hold the value).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

NS = 1_000_000_000
DAY_NS = 86_400 * NS
MAX_YEAR = 999_999_999
_CYCLE_DAYS = 146_097  # days in 400 Gregorian years
_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def month_days(year: int, month: int) -> int:
    return 29 if month == 2 and is_leap(year) else _MONTH_DAYS[month - 1]


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    if 1 <= year <= 9999:
        return date(year, month, day).toordinal() - _EPOCH_ORDINAL
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * _CYCLE_DAYS + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The (year, month, day) of a day number (inverse of :func:`days_from_civil`)."""
    if -_EPOCH_ORDINAL < days <= 2_932_896 - _EPOCH_ORDINAL:  # years 1-9999
        found = date.fromordinal(days + _EPOCH_ORDINAL)
        return found.year, found.month, found.day
    z = days + 719_468
    era = z // _CYCLE_DAYS
    doe = z - era * _CYCLE_DAYS
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


class FeelDate:
    """A FEEL ``date``; ordered and hashed by its day number."""

    __slots__ = ("day", "days", "month", "year")

    def __init__(self, year: int, month: int, day: int, days: int | None = None) -> None:
        if 1 <= year <= 9999:
            if days is None:  # Python's date checks the day and counts
                days = date(year, month, day).toordinal() - _EPOCH_ORDINAL
        else:
            if not -MAX_YEAR <= year <= MAX_YEAR:
                raise ValueError(f"year {year} is out of range")
            if not 1 <= month <= 12 or not 1 <= day <= month_days(year, month):
                raise ValueError(f"invalid date {year}-{month:02d}-{day:02d}")
            if days is None:
                days = days_from_civil(year, month, day)
        self.year, self.month, self.day = year, month, day
        self.days = days

    @classmethod
    def from_days(cls, days: int) -> FeelDate:
        year, month, day = civil_from_days(days)
        return cls(year, month, day, days)

    @classmethod
    def from_python(cls, value: date) -> FeelDate:
        return cls(value.year, value.month, value.day, value.toordinal() - _EPOCH_ORDINAL)

    def to_python(self) -> date | None:
        return date(self.year, self.month, self.day) if 1 <= self.year <= 9999 else None

    @property
    def weekday(self) -> int:
        """ISO day of the week: 1 (Monday) to 7 (Sunday)."""
        return (self.days + 3) % 7 + 1

    def __eq__(self, other: object) -> bool:
        return type(other) is FeelDate and other.days == self.days

    def __hash__(self) -> int:
        return hash(self.days)

    def __lt__(self, other: FeelDate) -> bool:
        return self.days < other.days

    def __le__(self, other: FeelDate) -> bool:
        return self.days <= other.days

    def __gt__(self, other: FeelDate) -> bool:
        return self.days > other.days

    def __ge__(self, other: FeelDate) -> bool:
        return self.days >= other.days

    def __repr__(self) -> str:
        return f"FeelDate({self.year}, {self.month}, {self.day})"


class FeelTime:
    """A FEEL ``time``: nanoseconds since midnight and a zone (None: local time)."""

    __slots__ = ("nanos", "zone")

    def __init__(self, nanos: int, zone: tzinfo | None = None) -> None:
        if not 0 <= nanos < DAY_NS:
            raise ValueError("time of day out of range")
        self.nanos = nanos
        self.zone = zone

    @classmethod
    def of(
        cls, hour: int, minute: int, second: int, nano: int = 0, zone: tzinfo | None = None
    ) -> FeelTime:
        if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60 and 0 <= nano < NS):
            raise ValueError(f"invalid time {hour:02d}:{minute:02d}:{second:02d}")
        return cls(((hour * 60 + minute) * 60 + second) * NS + nano, zone)

    @classmethod
    def from_python(cls, value: time) -> FeelTime:
        seconds = (value.hour * 60 + value.minute) * 60 + value.second
        return cls(seconds * NS + value.microsecond * 1000, python_zone(value.tzinfo))

    def to_python(self) -> time | None:
        if self.nanos % 1000:
            return None
        seconds, micro = divmod(self.nanos // 1000, 1_000_000)
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro, self.zone)

    hour = property(lambda self: self.nanos // (3600 * NS))
    minute = property(lambda self: self.nanos // (60 * NS) % 60)
    second = property(lambda self: self.nanos // NS % 60)
    nano = property(lambda self: self.nanos % NS)

    def offset(self) -> int | None:
        """The zone's offset in seconds (a named zone: its offset today); None if local."""
        if self.zone is None:
            return None
        fixed = self.zone.utcoffset(None)
        if fixed is None:
            fixed = datetime.now(self.zone).utcoffset() or timedelta(0)
        return int(fixed.total_seconds())

    def __eq__(self, other: object) -> bool:
        return type(other) is FeelTime and (other.nanos, other.zone) == (self.nanos, self.zone)

    def __hash__(self) -> int:
        return hash(self.nanos)

    def __repr__(self) -> str:
        return f"FeelTime({self.nanos}, {self.zone!r})"


class FeelDateTime:
    """A FEEL ``date and time``: a date, nanoseconds since its midnight, a zone."""

    __slots__ = ("_offset", "date", "nanos", "zone")

    def __init__(self, day: FeelDate, nanos: int, zone: tzinfo | None = None) -> None:
        if not 0 <= nanos < DAY_NS:
            raise ValueError("time of day out of range")
        self.date = day
        self.nanos = nanos
        self.zone = zone
        self._offset: int | None = None

    @classmethod
    def from_local(cls, local: int, zone: tzinfo | None) -> FeelDateTime:
        """From nanoseconds since 1970-01-01T00:00 on the wall clock."""
        days, nanos = divmod(local, DAY_NS)
        return cls(FeelDate.from_days(days), nanos, zone)

    @classmethod
    def from_python(cls, value: datetime) -> FeelDateTime:
        zone = value.tzinfo
        if zone is not None and not isinstance(zone, timezone) and not _is_named(zone):
            offset = value.utcoffset()  # another tzinfo: its offset at this moment
            zone = None if offset is None else timezone(offset)
        seconds = (value.hour * 60 + value.minute) * 60 + value.second
        nanos = seconds * NS + value.microsecond * 1000
        return cls(FeelDate.from_python(value.date()), nanos, zone)

    def to_python(self) -> datetime | None:
        day, clock = self.date.to_python(), self.time().to_python()
        return None if day is None or clock is None else datetime.combine(day, clock)

    def time(self) -> FeelTime:
        return FeelTime(self.nanos, self.zone)

    @property
    def local(self) -> int:
        """Nanoseconds since 1970-01-01T00:00 on this value's wall clock."""
        return self.date.days * DAY_NS + self.nanos

    def offset(self) -> int | None:
        """The zone's offset in seconds at this date and time; None for a local value."""
        zone = self.zone
        if zone is None:
            return None
        if self._offset is None:
            self._offset = self._zone_offset(zone)
        return self._offset

    def _zone_offset(self, zone: tzinfo) -> int:
        if isinstance(zone, timezone):
            fixed = zone.utcoffset(None)
            return int(fixed.total_seconds())
        year = self.date.year
        shift = 0
        if year < 1:
            shift = (year - 1) // 400 * 400  # into years 1-400
        elif year > 9999:
            shift = (year - 9600) // 400 * 400  # into years 9600-9999
        seconds = self.nanos // NS
        wall = datetime(
            year - shift,
            self.date.month,
            self.date.day,
            seconds // 3600,
            seconds // 60 % 60,
            seconds % 60,
            tzinfo=zone,
        )
        offset = wall.utcoffset()
        return 0 if offset is None else int(offset.total_seconds())

    def instant(self) -> int | None:
        """Nanoseconds since 1970-01-01T00:00Z; None for a local value."""
        offset = self.offset()
        return None if offset is None else self.local - offset * NS

    def __eq__(self, other: object) -> bool:
        return type(other) is FeelDateTime and (other.date, other.nanos, other.zone) == (
            self.date,
            self.nanos,
            self.zone,
        )

    def __hash__(self) -> int:
        return hash((self.date.days, self.nanos))

    def __repr__(self) -> str:
        return f"FeelDateTime({self.date!r}, {self.nanos}, {self.zone!r})"


class DaysTime:
    """A FEEL days-and-time duration, counted in nanoseconds (may be negative)."""

    __slots__ = ("nanos",)

    def __init__(self, nanos: int) -> None:
        if abs(nanos) >= _MAX_DURATION:
            raise ValueError("duration out of range")
        self.nanos = nanos

    @classmethod
    def from_python(cls, value: timedelta) -> DaysTime:
        return cls((value // timedelta(microseconds=1)) * 1000)

    def to_python(self) -> timedelta | None:
        if self.nanos % 1000 or abs(self.nanos) // DAY_NS > 999_999_998:
            return None
        return timedelta(microseconds=self.nanos // 1000)

    def __eq__(self, other: object) -> bool:
        return type(other) is DaysTime and other.nanos == self.nanos

    def __hash__(self) -> int:
        return hash(self.nanos)

    def __lt__(self, other: DaysTime) -> bool:
        return self.nanos < other.nanos

    def __le__(self, other: DaysTime) -> bool:
        return self.nanos <= other.nanos

    def __gt__(self, other: DaysTime) -> bool:
        return self.nanos > other.nanos

    def __ge__(self, other: DaysTime) -> bool:
        return self.nanos >= other.nanos

    def __neg__(self) -> DaysTime:
        return DaysTime(-self.nanos)

    def __repr__(self) -> str:
        return f"DaysTime({self.nanos})"


_MAX_DURATION = 2 * (MAX_YEAR + 1) * 366 * DAY_NS
"""Beyond the difference of the extreme date-times (a bound that keeps numbers finite)."""


def _is_named(zone: tzinfo) -> bool:
    return hasattr(zone, "key")


def python_zone(zone: tzinfo | None) -> tzinfo | None:
    """A Python tzinfo as FEEL keeps it: named zones and fixed offsets as they are."""
    if zone is None or zone is UTC or isinstance(zone, timezone) or _is_named(zone):
        return zone
    offset = zone.utcoffset(None)
    return None if offset is None else timezone(offset)


def from_python(value: Any) -> Any:
    """A Python ``date``/``time``/``datetime``/``timedelta`` as a FEEL value."""
    kind = type(value)
    if kind is datetime:
        return FeelDateTime.from_python(value)
    if kind is date:
        return FeelDate.from_python(value)
    if kind is time:
        return FeelTime.from_python(value)
    if kind is timedelta:
        return DaysTime.from_python(value)
    return value


TEMPORAL_TYPES = (FeelDate, FeelTime, FeelDateTime, DaysTime)
PYTHON_TEMPORAL = (date, time, datetime, timedelta)
