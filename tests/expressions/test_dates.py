"""Dates, date-times and durations across dialects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bpmn_engine.expressions import ExpressionError, evaluate

DUE = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
VARS = {
    "due": DUE,
    "start": datetime(2024, 1, 1, tzinfo=UTC),
    "d": date(2024, 2, 29),
    "week": timedelta(days=7),
    "naive": datetime(2024, 1, 1),
}


def test_feel_date_plus_duration() -> None:
    assert evaluate('= date("2024-01-01") + duration("P1D")', {}) == date(2024, 1, 2)


def test_feel_date_and_time_without_offset_is_utc() -> None:
    value = evaluate('= date and time("2024-01-01T10:00:00")', {})
    assert value == datetime(2024, 1, 1, 10, tzinfo=UTC)


def test_feel_duration_with_time_parts() -> None:
    assert evaluate('= duration("P1DT2H30M")', {}) == timedelta(days=1, hours=2, minutes=30)
    assert evaluate('= duration("-PT10S")', {}) == timedelta(seconds=-10)


def test_feel_year_month_duration_is_refused() -> None:
    with pytest.raises(ExpressionError, match="year-month duration"):
        evaluate('= duration("P1Y")', {})


def test_feel_invalid_date_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="invalid date"):
        evaluate('= date("2024-13-01")', {})


def test_feel_date_properties() -> None:
    assert evaluate("= [d.year, d.month, d.day, d.weekday]", VARS) == [2024, 2, 29, 4]
    assert evaluate("= week.days", VARS) == 7


def test_datetime_minus_datetime_is_a_timedelta() -> None:
    assert evaluate("due - start", VARS) == timedelta(days=9, hours=12)


def test_datetime_plus_timedelta_and_comparison() -> None:
    assert evaluate("start + week < due", VARS) is True
    assert evaluate("${due > start}", VARS) is True


def test_now_and_today_are_timezone_aware_and_current() -> None:
    now = evaluate("= now()", {})
    assert now.tzinfo is not None
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
    assert evaluate("= today()", {}) == datetime.now(UTC).date()


def test_mixing_naive_and_aware_datetimes_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="not supported between datetime and datetime"):
        evaluate("due - naive", VARS)


def test_juel_template_renders_dates_as_iso() -> None:
    assert evaluate("due ${d}", VARS) == "due 2024-02-29"


def test_feel_string_of_duration_is_iso() -> None:
    assert evaluate('= string(duration("P1DT2H"))', {}) == "P1DT2H"
