"""Cron expressions for timeCycle: Quartz (Camunda 7), Spring (Camunda 8) and classic cron."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpmn_engine.bpmn.cron import CronExpression, TimerDefinitionError, parse_cron

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)  # 2026-03-02 is a Monday


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def run(expression: str, start: datetime, count: int) -> list[datetime]:
    cron = parse_cron(expression)
    dues: list[datetime] = []
    due: datetime | None = start
    while due is not None and len(dues) < count:
        due = cron.next_after(due)
        if due is not None:
            dues.append(due)
    return dues


@pytest.mark.parametrize(
    ("text", "dialect"),
    [
        ("*/5 * * * *", "classic"),
        ("0 0/5 * * * ?", "quartz"),
        ("0 0 9 * * MON-FRI", "spring"),
        ("0 0 12 * * ? 2030", "quartz"),
        ("@daily", "spring"),
    ],
)
def test_dialect_is_chosen_by_field_count_and_question_mark(text: str, dialect: str) -> None:
    assert parse_cron(text).dialect == dialect


def test_explicit_dialect_overrides_detection() -> None:
    assert parse_cron("0 0 9 ? * 1-5", dialect="spring").dialect == "spring"
    with pytest.raises(TimerDefinitionError, match="unknown cron dialect"):
        parse_cron("0 0 9 * * *", dialect="unix")


@pytest.mark.parametrize(
    "text",
    ["0 0 9 ? * 2-6", "0 0 9 ? * MON-FRI", "0 0 9 * * 1-5", "0 0 9 * * mon-fri", "0 9 * * 1-5"],
)
def test_weekday_numbering_follows_the_dialect(text: str) -> None:
    dues = run(text, MONDAY, 6)
    assert [d.weekday() for d in dues] == [0, 1, 2, 3, 4, 0]
    assert all((d.hour, d.minute, d.second) == (9, 0, 0) for d in dues)


@pytest.mark.parametrize(
    "text",
    [
        "0 0 0 ? * 1",
        "0 0 0 ? * SUN",
        "0 0 * * 0",
        "0 0 * * 7",
        "0 0 0 * * 0",
        "0 0 0 * * 7",
        "0 0 0 * * SUN",
    ],
)
def test_sunday_is_1_in_quartz_and_0_or_7_elsewhere(text: str) -> None:
    assert all(d.weekday() == 6 for d in run(text, MONDAY, 3))


def test_quartz_rejects_weekday_zero_with_its_numbering_in_the_message() -> None:
    with pytest.raises(TimerDefinitionError, match=r"1=SUN\.\.7=SAT"):
        parse_cron("0 0 0 ? * 0")


def test_lists_ranges_steps_and_month_names() -> None:
    assert run("0 15,45 8-9 * * ?", MONDAY, 5) == [
        utc(2026, 3, 2, 8, 15),
        utc(2026, 3, 2, 8, 45),
        utc(2026, 3, 2, 9, 15),
        utc(2026, 3, 2, 9, 45),
        utc(2026, 3, 3, 8, 15),
    ]
    assert run("0 10-40/15 * * * ?", MONDAY, 3) == [utc(2026, 3, 2, 0, m) for m in (10, 25, 40)]
    assert run("0 0 0 1 JAN,jul ?", MONDAY, 2) == [utc(2026, 7, 1), utc(2027, 1, 1)]


def test_wrapping_ranges() -> None:
    assert [d.hour for d in run("0 0 22-1 * * ?", MONDAY, 4)] == [1, 22, 23, 0]
    assert [d.weekday() for d in run("0 0 0 * * FRI-MON", MONDAY, 4)] == [4, 5, 6, 0]


def test_seconds_field() -> None:
    assert run("*/20 * * * * ?", utc(2026, 1, 1, 0, 0, 0, 500), 3) == [
        utc(2026, 1, 1, 0, 0, 20),
        utc(2026, 1, 1, 0, 0, 40),
        utc(2026, 1, 1, 0, 1),
    ]


def test_next_after_is_strictly_after_and_accepts_naive_utc() -> None:
    cron = parse_cron("0 30 9 * * ?")
    assert cron.next_after(utc(2026, 1, 1, 9, 30)) == utc(2026, 1, 2, 9, 30)
    assert cron.next_after(datetime(2026, 1, 1, 9, 29, 59)) == utc(2026, 1, 1, 9, 30)


def test_last_day_of_month_and_offsets() -> None:
    assert run("0 0 12 L * ?", MONDAY, 3) == [
        utc(2026, 3, 31, 12),
        utc(2026, 4, 30, 12),
        utc(2026, 5, 31, 12),
    ]
    assert run("0 0 0 L-2 2 ?", MONDAY, 2) == [utc(2027, 2, 26), utc(2028, 2, 27)]


def test_weekday_nearest_and_last_weekday_of_month() -> None:
    # 2026-03-15 is a Sunday -> Monday 16th; 2026-05-31 is a Sunday -> Friday 29th
    assert run("0 0 0 15W * ?", MONDAY, 2) == [utc(2026, 3, 16), utc(2026, 4, 15)]
    assert run("0 0 0 LW 5 ?", MONDAY, 1) == [utc(2026, 5, 29)]
    # 2026-08-01 is a Saturday: 1W moves forward to Monday 3rd, not back into July
    assert run("0 0 0 1W 8 ?", MONDAY, 1) == [utc(2026, 8, 3)]


def test_nth_and_last_weekday_of_month() -> None:
    assert run("0 0 12 ? * 6#3", MONDAY, 2) == [utc(2026, 3, 20, 12), utc(2026, 4, 17, 12)]
    assert run("0 0 12 * * FRI#3", MONDAY, 1) == [utc(2026, 3, 20, 12)]
    assert run("0 0 12 ? * 6L", MONDAY, 2) == [utc(2026, 3, 27, 12), utc(2026, 4, 24, 12)]
    assert run("0 0 12 ? * L", MONDAY, 1)[0].weekday() == 5  # Quartz: L alone = 7 = SAT


def test_classic_cron_matches_either_day_field_spring_needs_both() -> None:
    # 1st of the month OR a Monday (Vixie cron) ...
    assert run("0 0 1 * MON", utc(2026, 3, 3), 3) == [
        utc(2026, 3, 9),
        utc(2026, 3, 16),
        utc(2026, 3, 23),
    ]
    # ... but 1st of the month AND a Monday in Spring (2026-06-01 is a Monday)
    assert run("0 0 0 1 * MON", utc(2026, 3, 3), 1) == [utc(2026, 6, 1)]


def test_year_field_limits_the_occurrences() -> None:
    assert run("0 0 0 1 1 ? 2027,2029", MONDAY, 5) == [utc(2027, 1, 1), utc(2029, 1, 1)]


def test_macros() -> None:
    assert run("@hourly", utc(2026, 1, 1, 0, 30), 1) == [utc(2026, 1, 1, 1)]
    assert run("@weekly", MONDAY, 1) == [utc(2026, 3, 8)]
    assert run("@yearly", MONDAY, 1) == [utc(2027, 1, 1)]


@pytest.mark.timeout(30)  # a hang guard, not a speed claim
def test_leap_day_is_found_across_2100_without_hanging() -> None:
    cron = parse_cron("0 0 0 29 2 ?")
    assert cron.next_after(utc(2026, 3, 1)) == utc(2028, 2, 29)
    assert cron.next_after(utc(2096, 3, 1)) == utc(2104, 2, 29)


@pytest.mark.parametrize(
    "text",
    ["0 0 0 30 2 ?", "0 0 0 31 4,6,9,11 ?", "0 0 0 ? 2 MON#5 2027", "0 0 0 29 2 ? 2100"],
)
@pytest.mark.timeout(30)  # a hang guard, not a speed claim
def test_impossible_expressions_never_fire(text: str) -> None:
    with pytest.raises(TimerDefinitionError, match="never fires"):
        parse_cron(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2 3 4", "expected 5, 6 or 7 fields"),
        ("0 0 0 * 13 ?", "month field '13': 13 in '13' is out of range 1-12"),
        ("0 ? * * * *", "'?' is only allowed in the day fields"),
        ("*/0 * * * *", "step in '*/0' must be at least 1"),
        ("0 0 0 ? * FUNDAY", "'FUNDAY' is not a number or name"),
        ("0 0 0 ? * 2#6", "6 is out of range 1-5"),
        ("0 60 * * * ?", "minute field '60'"),
        ("0 0 0 1,,2 * ?", "day-of-month field"),
    ],
)
def test_errors_name_the_expression_and_the_faulty_field(text: str, message: str) -> None:
    with pytest.raises(TimerDefinitionError) as caught:
        parse_cron(text)
    assert message in str(caught.value)
    assert f"'{text}'" in str(caught.value) or "fields" in str(caught.value)


def test_expressions_are_hashable_values() -> None:
    assert hash(parse_cron("0 0 9 * * ?")) == hash(parse_cron("0 0 9 * * ?"))
    assert isinstance(parse_cron("0 0 9 * * ?"), CronExpression)


def _brute_force(minutes: set[int], hours: set[int], weekdays: set[int], after: datetime):
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while True:
        if moment.minute in minutes and moment.hour in hours and moment.weekday() in weekdays:
            return moment
        moment += timedelta(minutes=1)


@settings(max_examples=60, deadline=None)
@given(
    st.sets(st.integers(0, 59), min_size=1, max_size=4),
    st.sets(st.integers(0, 23), min_size=1, max_size=3),
    st.sets(st.integers(0, 6), min_size=1, max_size=3),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
)
def test_next_after_agrees_with_a_minute_by_minute_scan(
    minutes: set[int], hours: set[int], weekdays: set[int], after: datetime
) -> None:
    classic_days = ",".join(str((w + 1) % 7) for w in weekdays)  # Python MON=0 -> cron MON=1
    text = f"{','.join(map(str, minutes))} {','.join(map(str, hours))} * * {classic_days}"
    assert parse_cron(text).next_after(after) == _brute_force(minutes, hours, weekdays, after)
