"""Cron expressions for BPMN ``timeCycle``: Quartz (Camunda 7), Spring (Camunda 8), classic.

The dialect is decided by the field count unless given explicitly:

- 5 fields ``min hour day-of-month month day-of-week`` -> ``classic`` (seconds = 0, weekday
  0 or 7 = SUN). As in Vixie cron, when both day fields are restricted (neither starts with
  ``*``/``?``) a day matches if EITHER matches.
- 7 fields (trailing year), or 6 fields containing ``?`` -> ``quartz``: weekday 1=SUN..7=SAT.
  Quartz requires ``?`` in one day field, so a genuine Camunda 7 expression always has one.
- 6 fields without ``?`` -> ``spring`` (Camunda 8 / Zeebe): weekday 0 or 7 = SUN, 1 = MON.
- ``@yearly``, ``@annually``, ``@monthly``, ``@weekly``, ``@daily``, ``@midnight``, ``@hourly``.

Quartz and Spring match a day only if BOTH day fields match (Quartz's "one must be ``?``"
rule is not enforced). Supported: ``*``, ``?`` (day fields only), lists, ranges (wrapping,
e.g. ``FRI-MON``), steps (``*/5``, ``0/5``, ``10-40/10``), JAN-DEC / SUN-SAT names and, in
every dialect, ``L``, ``L-n``, ``LW``, ``nW`` (day of month) and ``dL``, ``d#n`` (weekday;
``L`` alone is day 7). All times are UTC. Expressions that can never fire are rejected.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["CronExpression", "TimerDefinitionError", "looks_like_cron", "parse_cron"]


class TimerDefinitionError(ValueError):
    """A timer definition text is invalid (re-exported by ``bpmn_engine.bpmn.timers``)."""


class _FieldError(Exception):
    """Internal: what is wrong with one field; wrapped into a TimerDefinitionError."""


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_MACROS = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}
DIALECTS = ("quartz", "spring", "classic")


def looks_like_cron(text: str) -> bool:
    """True if ``text`` has the shape of a cron expression (5-7 fields or an ``@`` macro)."""
    text = text.strip()
    return text.lower() in _MACROS or 5 <= len(text.split()) <= 7


def _number(token: str, names: dict[str, int] | None) -> int:
    if names and token.upper() in names:
        return names[token.upper()]
    if not (token.isascii() and token.isdigit()) or len(token) > 4:
        raise _FieldError(f"'{token}' is not a number{' or name' if names else ''}")
    return int(token)


def _values(token: str, lo: int, hi: int, names: dict[str, int] | None = None) -> set[int]:
    """Expand a plain list/range/step field (no L, W, #) into its values."""
    result: set[int] = set()
    for part in token.split(","):
        base, slash, step_text = part.partition("/")
        step = _number(step_text, None) if slash else 1
        if step < 1:
            raise _FieldError(f"step in '{part}' must be at least 1")
        if base in ("*", "?"):
            start, end = lo, hi
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(base, names)
            end = hi if slash else start
        for value in (start, end):
            if not lo <= value <= hi:
                raise _FieldError(f"{value} in '{part}' is out of range {lo}-{hi}")
        wrapped = [*range(start, hi + 1), *range(lo, end + 1)]  # e.g. FRI-MON, 22-2
        run = [*range(start, end + 1)] if start <= end else wrapped
        result.update(run[::step])
    return result


@dataclass(frozen=True)
class CronExpression:
    """A parsed cron expression; ``next_after`` finds the next matching second (UTC)."""

    text: str
    dialect: str
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: frozenset[int]
    years: tuple[int, ...] | None
    # matching days of month per (weekday of the 1st, month length): index wd * 4 + len - 28
    day_table: tuple[tuple[int, ...], ...] = field(repr=False)

    def next_after(self, after: datetime) -> datetime | None:
        """First matching instant strictly after ``after`` (naive = UTC); None if none left."""
        after = after.replace(tzinfo=UTC) if after.tzinfo is None else after.astimezone(UTC)
        after = after.replace(microsecond=0)
        year, month = after.year, after.month
        last_year = min(9999, self.years[-1] if self.years else after.year + 400)
        while year <= last_year:
            if self.years is not None and year not in self.years:
                index = bisect_right(self.years, year)
                if index == len(self.years):
                    return None
                year, month = self.years[index], 1
                continue
            if month in self.months:
                found = self._in_month(year, month, after)
                if found is not None:
                    return found
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None

    def _in_month(self, year: int, month: int, after: datetime) -> datetime | None:
        first_weekday, length = calendar.monthrange(year, month)
        same_month = (year, month) == (after.year, after.month)
        for day in self.day_table[first_weekday * 4 + length - 28]:
            if same_month and day < after.day:
                continue
            if same_month and day == after.day:
                hms = self._time_after(after.hour, after.minute, after.second)
                if hms is None:
                    continue
            else:
                hms = (self.hours[0], self.minutes[0], self.seconds[0])
            return datetime(year, month, day, *hms, tzinfo=UTC)
        return None

    def _time_after(self, hour: int, minute: int, second: int) -> tuple[int, int, int] | None:
        """Earliest (h, m, s) of the expression strictly later than the given time of day."""
        for h in self.hours[bisect_left(self.hours, hour) :]:
            if h > hour:
                return h, self.minutes[0], self.seconds[0]
            for m in self.minutes[bisect_left(self.minutes, minute) :]:
                if m > minute:
                    return h, m, self.seconds[0]
                index = bisect_right(self.seconds, second)
                if index < len(self.seconds):
                    return h, m, self.seconds[index]
        return None


def parse_cron(text: str, dialect: str | None = None) -> CronExpression:
    """Parse a cron expression; ``dialect`` ("quartz", "spring", "classic") overrides detection.

    Raises TimerDefinitionError naming the text, the faulty field and what is wrong with it.
    """
    text = text.strip()
    if dialect is not None and dialect not in DIALECTS:
        raise TimerDefinitionError(f"unknown cron dialect '{dialect}' (expected {DIALECTS})")
    fields = _MACROS.get(text.lower(), text).split()
    if len(fields) == 5:
        dialect, fields = dialect or "classic", ["0", *fields]
    elif len(fields) == 6:
        dialect = dialect or ("quartz" if "?" in text else "spring")
    elif len(fields) == 7:
        dialect = dialect or "quartz"
    else:
        raise TimerDefinitionError(
            f"'{text}' is not a cron expression: expected 5, 6 or 7 fields "
            f"(e.g. '0 0/5 * * * ?'), got {len(fields)}"
        )
    try:
        return _build(text, dialect, fields)
    except _FieldError as error:
        raise TimerDefinitionError(f"'{text}' is not a valid cron expression: {error}") from None


_LABELS = ("second", "minute", "hour", "day-of-month", "month", "day-of-week", "year")


def _build(text: str, dialect: str, fields: list[str]) -> CronExpression:
    for label, token in zip(_LABELS, fields, strict=False):
        if "?" in token and label not in ("day-of-month", "day-of-week"):
            raise _FieldError(f"'?' is only allowed in the day fields, not in {label} '{token}'")

    def parse(index: int, lo: int, hi: int, names: dict[str, int] | None = None) -> set[int]:
        try:
            return _values(fields[index], lo, hi, names)
        except _FieldError as error:
            raise _FieldError(f"{_LABELS[index]} field '{fields[index]}': {error}") from None

    seconds, minutes, hours = parse(0, 0, 59), parse(1, 0, 59), parse(2, 0, 23)
    months = parse(4, 1, 12, _MONTHS)
    years = tuple(sorted(parse(6, 1970, 2199))) if len(fields) == 7 else None
    rule = _day_rule(fields[3], fields[5], dialect)
    table = tuple(rule(wd, length) for wd in range(7) for length in range(28, 32))
    if years is not None:
        pairs = {calendar.monthrange(y, m) for y in years for m in months}
    else:
        pairs = {
            (wd, n)
            for m in months
            for n in ((28, 29) if m == 2 else (calendar.monthrange(2001, m)[1],))
            for wd in range(7)
        }
    if not any(table[wd * 4 + length - 28] for wd, length in pairs):
        raise TimerDefinitionError(f"cron expression '{text}' never fires (no date matches it)")
    return CronExpression(
        text,
        dialect,
        tuple(sorted(seconds)),
        tuple(sorted(minutes)),
        tuple(sorted(hours)),
        frozenset(months),
        years,
        table,
    )


DayRule = Callable[[int, int], tuple[int, ...]]


def _day_rule(dom_token: str, dow_token: str, dialect: str) -> DayRule:
    """Build ``(weekday of the 1st, month length) -> matching days`` from the two day fields."""
    days: set[int] = set()
    last_offsets: set[int] = set()
    nearest: set[int] = set()
    last_weekday = False
    for part in dom_token.upper().split(","):
        where = f"day-of-month field '{dom_token}'"
        if part == "L":
            last_offsets.add(0)
        elif part.startswith("L-"):
            last_offsets.add(_bounded(part[2:], 0, 30, None, where))
        elif part == "LW":
            last_weekday = True
        elif part.endswith("W") and len(part) > 1:
            nearest.add(_bounded(part[:-1], 1, 31, None, where))
        else:
            days |= _field_values(part, 1, 31, None, where)
    quartz = dialect == "quartz"
    names = {name: i + 1 if quartz else i for i, name in enumerate(_DAYS)}
    lo = 1 if quartz else 0

    def python_weekday(raw: int) -> int:  # Monday = 0 .. Sunday = 6
        return (raw - 2) % 7 if quartz else (raw - 1) % 7

    weekdays: set[int] = set()
    last_of_month: set[int] = set()
    nth: set[tuple[int, int]] = set()
    for part in dow_token.upper().split(","):
        where = f"day-of-week field '{dow_token}' ({'1=SUN..7=SAT' if quartz else '0/7=SUN'})"
        if part == "L":
            weekdays.add(python_weekday(7))
        elif "#" in part:
            day, _, count = part.partition("#")
            nth.add(
                (
                    python_weekday(_bounded(day, lo, 7, names, where)),
                    _bounded(count, 1, 5, None, where),
                )
            )
        elif part.endswith("L") and len(part) > 1:
            last_of_month.add(python_weekday(_bounded(part[:-1], lo, 7, names, where)))
        else:
            weekdays |= {python_weekday(v) for v in _field_values(part, lo, 7, names, where)}
    either = (
        dialect == "classic"
        and not dom_token.startswith(("*", "?"))
        and not dow_token.startswith(("*", "?"))
    )

    def rule(first: int, length: int) -> tuple[int, ...]:
        def weekday(day: int) -> int:
            return (first + day - 1) % 7

        by_month = {d for d in days if d <= length}
        by_month |= {length - n for n in last_offsets if length - n >= 1}
        if last_weekday:
            by_month.add(length - max(0, weekday(length) - 4))
        for n in (n for n in nearest if n <= length):
            shift = {5: -1 if n > 1 else 2, 6: 1 if n < length else -2}.get(weekday(n), 0)
            by_month.add(n + shift)
        by_week = {d for d in range(1, length + 1) if weekday(d) in weekdays}
        by_week |= {length - (weekday(length) - w) % 7 for w in last_of_month}
        by_week |= {d for w, k in nth if (d := 1 + (w - first) % 7 + 7 * (k - 1)) <= length}
        return tuple(sorted(by_month | by_week if either else by_month & by_week))

    return rule


def _field_values(
    part: str, lo: int, hi: int, names: dict[str, int] | None, where: str
) -> set[int]:
    try:
        return _values(part, lo, hi, names)
    except _FieldError as error:
        raise _FieldError(f"{where}: {error}") from None


def _bounded(token: str, lo: int, hi: int, names: dict[str, int] | None, where: str) -> int:
    try:
        value = _number(token, names)
    except _FieldError as error:
        raise _FieldError(f"{where}: {error}") from None
    if not lo <= value <= hi:
        raise _FieldError(f"{where}: {value} is out of range {lo}-{hi}")
    return value
