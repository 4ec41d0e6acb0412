"""FEEL's own temporal values: years from -999,999,999 to 999,999,999, nanoseconds, and
the same calendar as Python's inside years 1-9999."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from bpmn_engine.expressions.errors import ExpressionError
from bpmn_engine.expressions.feel import evaluate_feel, from_feel, to_feel, to_text
from bpmn_engine.expressions.feel.chrono import (
    FeelDate,
    civil_from_days,
    days_from_civil,
)

_EPOCH = date(1970, 1, 1)


def test_the_day_count_formula_matches_python_and_runs_on_past_years_1_and_9999() -> None:
    picks = random.Random(7)
    for _ in range(2000):
        day = date.fromordinal(picks.randint(1, date.max.toordinal()))
        ours = (day - _EPOCH).days
        y, m, d = day.year, day.month, day.day
        shifted = days_from_civil(y - 10_000, m, d) if not (m == 2 and d == 29) else None
        assert civil_from_days(ours) == (y, m, d)
        if shifted is not None:  # 10,000 years = 25 whole 400-year cycles earlier
            assert shifted == ours - 25 * 146_097
            assert civil_from_days(shifted) == (y - 10_000, m, d)
    assert FeelDate(0, 12, 31).days + 1 == FeelDate(1, 1, 1).days
    assert FeelDate(9999, 12, 31).days + 1 == FeelDate(10_000, 1, 1).days
    assert FeelDate(0, 2, 29).days + 1 == FeelDate(0, 3, 1).days  # year 0 is a leap year


def test_weekday_and_week_of_year_match_python() -> None:
    picks = random.Random(11)
    for _ in range(500):
        day = _EPOCH + timedelta(days=picks.randint(-700_000, 2_900_000))
        text = day.isoformat()
        assert evaluate_feel(f'date("{text}").weekday') == day.isoweekday()
        assert evaluate_feel(f'week of year(date("{text}"))') == day.isocalendar()[1]
        assert evaluate_feel(f'day of year(date("{text}"))') == day.timetuple().tm_yday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('string(date("-2021-01-01") - duration("P1D"))', "-2022-12-31"),
        (
            'string(@"-2021-01-01T10:10:10@Australia/Melbourne" + @"P1Y")',
            "-2020-01-01T10:10:10@Australia/Melbourne",
        ),
        (
            'string(date and time("999999999-12-31T23:59:59.999999999@Europe/Paris"))',
            "999999999-12-31T23:59:59.999999999@Europe/Paris",
        ),
        ('string(date("999999999-12-31") + duration("P1D"))', "null"),
        ('string(time("23:59:01.123456789") + duration("PT0.000000001S"))', "23:59:01.12345679"),
        ('string(@"2021-01-01T00:00:00.000000001Z" - @"2021-01-01T00:00:00Z")', "PT0.000000001S"),
        ('string(date("10000-01-01") - date("9999-12-31"))', "P1D"),
        ('date("-0001-12-31") < date("0000-01-01")', "true"),
        ('date("99999-06-15").year', "99999"),
        ('string(years and months duration(date("-2016-01-30"), date("-2017-02-28")))', "-P11M"),
        ('string(@"2021-01-02" - @"2021-01-01T10:10:10+11:00")', "P1DT49M50S"),
        ('string(@"2021-01-02T00:00:00" - @"2021-01-01")', "null"),
        ('date and time("01211-12-31T11:22:33")', "null"),
        ('date and time("2017-12-31T24:00:01")', "null"),
        ('string(date and time("2017-12-31T24:00:00"))', "2018-01-01T00:00:00"),
    ],
)
def test_feel_temporal_arithmetic_and_text_beyond_pythons_range(text: str, expected: str) -> None:
    assert to_text(evaluate_feel(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('@"2021-07-01T12:00:00@Europe/Paris".time offset', "PT2H"),
        ('@"10500-07-01T12:00:00@Europe/Paris".time offset', "PT2H"),  # today's rules
        ('@"10500-01-01T12:00:00@Europe/Paris".time offset', "PT1H"),
        ('@"-2021-07-01T12:00:00@Europe/Paris".time offset', "PT9M21S"),  # mean solar time
        ('@"10500-07-01T12:00:00@Europe/Paris" - @"10500-07-01T12:00:00Z"', "-PT2H"),
    ],
)
def test_named_zones_beyond_pythons_years_follow_the_400_year_calendar_cycle(
    text: str, expected: str
) -> None:
    assert to_text(evaluate_feel(text)) == expected


class _Plus90(tzinfo):
    """A tzinfo that is neither a fixed ``timezone`` nor a named zone."""

    def utcoffset(self, when: datetime | None) -> timedelta | None:
        return None if when is None else timedelta(minutes=90)

    def dst(self, when: datetime | None) -> timedelta | None:
        return timedelta(0)


def test_python_date_times_keep_their_offset_whatever_their_tzinfo() -> None:
    value = datetime(2024, 5, 1, 12, 30, tzinfo=_Plus90())
    assert to_text(to_feel(value)) == "2024-05-01T12:30:00+01:30"
    paris = datetime(2024, 5, 1, 12, 30, 0, 250, tzinfo=ZoneInfo("Europe/Paris"))
    assert to_text(to_feel(paris)) == "2024-05-01T12:30:00.00025@Europe/Paris"
    assert from_feel(to_feel(paris)) == paris


@pytest.mark.parametrize(
    "text",
    [
        "count(for x in [1..100000000000] return x)",
        'count(for d in [date("-999999999-01-01")..date("999999999-12-31")] return d)',
        "count(for x in 1..100000000000 return x)",
        'count(for d in date("-999999999-01-01")..date("999999999-12-31") return d)',
        "count(for x in 1..5000000 return x)",
    ],
)
def test_iterating_huge_ranges_and_spans_stops_at_the_limits_not_in_memory(text: str) -> None:
    with pytest.raises(ExpressionError, match=r"limit of"):
        evaluate_feel(text)
