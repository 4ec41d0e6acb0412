"""BPMN timer definitions: parse ``timeDate`` / ``timeDuration`` / ``timeCycle`` text.

``parse_timer(kind, text)`` returns a ``TimerSchedule``; all datetimes in and out are
timezone-aware UTC (naive input is taken as UTC). Semantics:

- date: fires at that instant; ``first_due`` returns it even if it is already past.
- duration: fires at ``armed_at + duration`` (years/months calendar-aware, clamped to the
  month end: Jan 31 + P1M = Feb 28/29).
- cycle ``R[n]/<duration>``: first at ``armed_at + duration``, then every duration after
  the previous due time; ``R`` without ``n`` is unbounded. ``R0`` is rejected (never fires).
- cycle ``R[n]/<start>/<duration>``: first at ``start`` (even if past: the engine catches
  up), then ``start + k * duration`` (anchored, so P1M from Jan 31 stays on month ends).
- cycle ``R[n]/<start>/<end>``: as above with ``duration = end - start``.
- cycle ``R[n]/<duration>/<end>``: like ``R[n]/<duration>`` but no occurrence after ``end``.
- cycle cron (see ``bpmn_engine.bpmn.cron`` for the dialect rules): next matching second
  strictly after ``armed_at`` / the previous due time, in UTC; unbounded.

Repetition counting is stateless: ``next_due(previous_due, fired_count)`` takes the number
of firings so far (including the one at ``previous_due``), so an engine only needs to store
``(due_at, fired_count)``. ``due_times(armed_at)`` iterates the same sequence.

Expression text (``${...}``, ``#{...}`` or ``=...``) is not parsed here: the caller checks
``is_timer_expression``, evaluates it, then calls ``schedule_from_value`` on the result.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bpmn_engine.bpmn.cron import CronExpression, TimerDefinitionError, looks_like_cron, parse_cron
from bpmn_engine.bpmn.model import TimerKind
from bpmn_engine.expressions.durations import scan_duration

__all__ = [
    "Duration",
    "TimerDefinitionError",
    "TimerSchedule",
    "is_timer_expression",
    "parse_datetime",
    "parse_duration",
    "parse_timer",
    "schedule_from_value",
]

_REPEAT = re.compile(r"R([0-9]*)/(.+)", re.ASCII | re.DOTALL)
_KIND_ALIASES = {"timedate": "date", "timeduration": "duration", "timecycle": "cycle"}


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration: calendar years/months, whole days and an exact ``time`` part."""

    years: int = 0
    months: int = 0
    days: int = 0
    time: timedelta = field(default_factory=timedelta)

    @property
    def is_zero(self) -> bool:
        """True for ``PT0S`` and equivalents."""
        return not (self.years or self.months or self.days or self.time)

    def add_to(self, moment: datetime) -> datetime:
        """``moment + self`` in UTC; the day is clamped to the target month's length."""
        moment = _utc(moment)
        try:
            year, month0 = divmod(moment.month - 1 + self.months + 12 * self.years, 12)
            year += moment.year
            day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
            shifted = moment.replace(year=year, month=month0 + 1, day=day)
            return shifted + timedelta(days=self.days) + self.time
        except (OverflowError, ValueError, calendar.IllegalMonthError):
            raise TimerDefinitionError(
                f"{moment.isoformat()} + {self.isoformat()} is out of the supported date range"
            ) from None

    def scaled(self, factor: int) -> Duration:
        """This duration repeated ``factor`` times (each component multiplied)."""
        return Duration(
            self.years * factor, self.months * factor, self.days * factor, self.time * factor
        )

    def isoformat(self) -> str:
        """The ISO 8601 text, e.g. ``P1Y2M3DT4H5M6.5S`` (``PT0S`` when zero)."""
        date_part = "".join(
            f"{value}{unit}"
            for value, unit in ((self.years, "Y"), (self.months, "M"), (self.days, "D"))
            if value
        )
        micros = self.time // timedelta(microseconds=1)
        hours, rest = divmod(micros, 3_600_000_000)
        minutes, micros = divmod(rest, 60_000_000)
        seconds = f"{micros // 1_000_000}.{micros % 1_000_000:06d}".rstrip("0").rstrip(".")
        time_part = "".join(
            f"{value}{unit}"
            for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
            if value not in (0, "0")
        )
        if not date_part and not time_part:
            return "PT0S"
        return f"P{date_part}" + (f"T{time_part}" if time_part else "")

    __str__ = isoformat


def parse_duration(text: str) -> Duration:
    """Parse an ISO 8601 duration (``PT5M``, ``P1DT2H``, ``P2W``, ``PT0.5S``, ``P1Y2M``) with
    the engine's one grammar (``expressions.durations``).

    Fractions (``.`` or ``,``) are allowed except on years and months; weeks are 7 days;
    a timer's duration is never negative.
    """
    source = text
    parts = scan_duration(text.strip().upper())
    if parts is None or parts.negative:
        hint = "; negative durations are not supported" if parts is not None else ""
        raise TimerDefinitionError(
            f"'{source}' is not an ISO 8601 duration (expected e.g. PT5M, P1DT2H){hint}"
        )
    if parts.fractional() & {"years", "months"}:
        raise TimerDefinitionError(
            f"'{source}': fractional years or months are not supported in a duration"
        )
    years, months = int(parts.years or 0), int(parts.months or 0)
    exact_parts = {
        name: float(value)
        for name, value in parts.given().items()
        if name not in ("years", "months")
    }
    scale = {"weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440, "seconds": 1 / 86400}
    if years + months / 12 + sum(v * scale[k] for k, v in exact_parts.items()) / 365 > 10_000:
        raise TimerDefinitionError(f"'{source}' is too long a duration (over 10000 years)")
    try:
        exact = timedelta(**exact_parts)
    except OverflowError:
        raise TimerDefinitionError(f"'{source}' is too long a duration") from None
    time = timedelta(seconds=exact.seconds, microseconds=exact.microseconds)
    return Duration(years, months, exact.days, time)


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date-time or date into an aware UTC datetime (no offset = UTC)."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise TimerDefinitionError(
            f"'{text}' is not an ISO 8601 date-time "
            "(expected e.g. 2026-03-01T10:00:00Z or 2026-03-01)"
        ) from None
    try:
        return _utc(parsed)
    except OverflowError:
        raise TimerDefinitionError(f"'{text}' is out of the supported date range") from None


def is_timer_expression(text: str) -> bool:
    """True if ``text`` must be evaluated first (``${...}``, ``#{...}`` or FEEL ``=...``)."""
    return "${" in text or "#{" in text or text.lstrip().startswith("=")


@dataclass(frozen=True)
class TimerSchedule:
    """When a timer fires; built by ``parse_timer`` / ``schedule_from_value``.

    ``repetitions`` is 1 for date/duration, the cycle count, or None for unbounded cycles.
    """

    kind: TimerKind
    text: str
    repetitions: int | None = 1
    at: datetime | None = None  # date timers
    period: Duration | None = None  # duration timers and ISO cycles
    start: datetime | None = None  # anchored cycles (R/<start>/...)
    end: datetime | None = None  # cycles with an end (R/<duration>/<end>)
    cron: CronExpression | None = None  # cron cycles

    def first_due(self, start: datetime) -> datetime:
        """First due time for a timer armed at ``start``.

        Raises TimerDefinitionError if a cycle can no longer fire (its ``end`` or its cron
        years are already past).
        """
        start = _utc(start)
        if self.at is not None:
            return self.at
        if self.cron is not None:
            due = self.cron.next_after(start)
        elif self.start is not None:
            due = self.start
        else:
            assert self.period is not None
            due = self.period.add_to(start)
        if due is None or (self.end is not None and due > self.end):
            raise TimerDefinitionError(
                f"timer cycle '{self.text}' has no occurrence after {start.isoformat()}"
            )
        return due

    def next_due(self, previous_due: datetime, fired_count: int = 1) -> datetime | None:
        """Due time after the firing at ``previous_due``; None when the timer is used up.

        ``fired_count`` is how many times the timer has fired so far, including the firing
        at ``previous_due`` (1 after the first firing). Date/duration timers return None.
        """
        if fired_count < 1:
            raise ValueError(f"fired_count must be at least 1, got {fired_count}")
        if self.kind != TimerKind.CYCLE:
            return None
        if self.repetitions is not None and fired_count >= self.repetitions:
            return None
        previous_due = _utc(previous_due)
        if self.cron is not None:
            return self.cron.next_after(previous_due)
        assert self.period is not None
        try:
            if self.start is not None:
                due = self.period.scaled(fired_count).add_to(self.start)
            else:
                due = self.period.add_to(previous_due)
        except TimerDefinitionError:
            return None  # beyond year 9999
        return None if self.end is not None and due > self.end else due

    def due_times(self, start: datetime) -> Iterator[datetime]:
        """All due times for a timer armed at ``start`` (infinite for unbounded cycles)."""
        due: datetime | None = self.first_due(start)
        fired = 0
        while due is not None:
            yield due
            fired += 1
            due = self.next_due(due, fired)


def parse_timer(kind: TimerKind | str, text: str) -> TimerSchedule:
    """Parse the text of a ``timeDate``, ``timeDuration`` or ``timeCycle`` definition.

    Raises TimerDefinitionError saying what is wrong (including for unevaluated expressions).
    """
    timer_kind = _kind(kind)
    if not isinstance(text, str):
        raise TimerDefinitionError(f"timer {timer_kind} text must be a string, got {text!r}")
    if is_timer_expression(text):
        raise TimerDefinitionError(
            f"timer {timer_kind} '{text}' is an expression: evaluate it, then call "
            "schedule_from_value with the result"
        )
    text = text.strip()
    if not text:
        raise TimerDefinitionError(f"timer {timer_kind} definition is empty")
    if timer_kind == TimerKind.DATE:
        return TimerSchedule(timer_kind, text, at=parse_datetime(text))
    if timer_kind == TimerKind.DURATION:
        return TimerSchedule(timer_kind, text, period=parse_duration(text))
    return _parse_cycle(text)


def _parse_cycle(text: str) -> TimerSchedule:
    match = _REPEAT.fullmatch(text.upper() if text[:1] == "r" else text)
    if match is None:
        if looks_like_cron(text):
            return TimerSchedule(TimerKind.CYCLE, text, repetitions=None, cron=parse_cron(text))
        raise TimerDefinitionError(
            f"'{text}' is not a timer cycle (expected e.g. R3/PT10M, R/PT1H, "
            "R5/2026-01-01T00:00:00Z/PT1H or a cron expression such as '0 0/5 * * * ?')"
        )
    count_text, rest = match.groups()
    repetitions = int(count_text) if count_text else None
    if repetitions == 0:
        raise TimerDefinitionError(f"timer cycle '{text}' repeats zero times (R0), so never fires")
    parts = rest.split("/")
    start = end = None
    if len(parts) == 1:
        period = parse_duration(parts[0])
    elif len(parts) == 2 and _is_duration(parts[1]):
        start, period = parse_datetime(parts[0]), parse_duration(parts[1])
    elif len(parts) == 2 and _is_duration(parts[0]):
        period, end = parse_duration(parts[0]), parse_datetime(parts[1])
    elif len(parts) == 2:
        start, stop = parse_datetime(parts[0]), parse_datetime(parts[1])
        if stop <= start:
            raise TimerDefinitionError(f"timer cycle '{text}': the end must be after the start")
        period = Duration(time=stop - start)
    else:
        raise TimerDefinitionError(
            f"'{text}' is not a repeating interval (expected R[n]/<duration>, "
            "R[n]/<start>/<duration> or R[n]/<duration>/<end>)"
        )
    if period.is_zero:
        raise TimerDefinitionError(f"timer cycle '{text}' has a zero period")
    return TimerSchedule(TimerKind.CYCLE, text, repetitions, period=period, start=start, end=end)


def schedule_from_value(
    kind: TimerKind | str, value: str | datetime | date | timedelta
) -> TimerSchedule:
    """Schedule from an evaluated expression result.

    Strings are parsed like ``parse_timer``; a datetime (or date = midnight UTC) is accepted
    for date timers, a non-negative timedelta for duration timers and a positive one for
    cycles (unbounded, like ``R/<duration>``).
    """
    timer_kind = _kind(kind)
    if isinstance(value, str):
        return parse_timer(timer_kind, value)
    if isinstance(value, date) and timer_kind == TimerKind.DATE:
        moment = value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
        return TimerSchedule(timer_kind, _utc(moment).isoformat(), at=_utc(moment))
    if isinstance(value, timedelta) and timer_kind != TimerKind.DATE:
        period = Duration(days=value.days, time=value - timedelta(days=value.days))
        if value < timedelta(0) or (timer_kind == TimerKind.CYCLE and period.is_zero):
            raise TimerDefinitionError(
                f"timer {timer_kind} value {value} must be "
                f"{'positive' if timer_kind == TimerKind.CYCLE else 'zero or positive'}"
            )
        if timer_kind == TimerKind.DURATION:
            return TimerSchedule(timer_kind, period.isoformat(), period=period)
        return TimerSchedule(timer_kind, f"R/{period}", repetitions=None, period=period)
    expected = {"date": "a date-time", "duration": "a duration", "cycle": "a cycle or duration"}
    raise TimerDefinitionError(
        f"timer {timer_kind} expression gave {value!r} ({type(value).__name__}); "
        f"expected {expected[timer_kind]} or its ISO 8601 text"
    )


def _kind(kind: TimerKind | str) -> TimerKind:
    name = str(kind)
    try:
        return TimerKind(_KIND_ALIASES.get(name.lower(), name.lower()))
    except ValueError:
        raise TimerDefinitionError(
            f"unknown timer kind {kind!r} (expected 'date', 'duration' or 'cycle')"
        ) from None


def _is_duration(text: str) -> bool:
    return text.strip().upper().startswith(("P", "-P"))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
