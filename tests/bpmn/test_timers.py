"""Timer definitions: timeDate, timeDuration, timeCycle (ISO repeating intervals and cron)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpmn_engine.bpmn.model import TimerKind
from bpmn_engine.bpmn.timers import (
    Duration,
    TimerDefinitionError,
    TimerSchedule,
    is_timer_expression,
    parse_datetime,
    parse_duration,
    parse_timer,
    schedule_from_value,
)

ARMED = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def first(schedule: TimerSchedule, count: int, start: datetime = ARMED) -> list[datetime]:
    return list(itertools.islice(schedule.due_times(start), count))


# --- timeDate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T10:00:00Z", utc(2026, 3, 1, 10)),
        ("2026-03-01T10:00:00+02:00", utc(2026, 3, 1, 8)),
        ("2026-03-01T10:00:00", utc(2026, 3, 1, 10)),
        ("2026-03-01", utc(2026, 3, 1)),
        ("  2026-03-01T10:00:00.250Z ", utc(2026, 3, 1, 10, 0, 0, 250_000)),
    ],
)
def test_date_timer_fires_at_that_instant_in_utc(text: str, expected: datetime) -> None:
    schedule = parse_timer(TimerKind.DATE, text)
    due = schedule.first_due(ARMED)
    assert due == expected
    assert due.tzinfo == UTC
    assert schedule.repetitions == 1
    assert schedule.kind == "date"
    assert schedule.next_due(due) is None


def test_date_in_the_past_is_still_returned_so_the_engine_fires_immediately() -> None:
    assert parse_timer("date", "2020-01-01T00:00:00Z").first_due(ARMED) == utc(2020, 1, 1)


def test_invalid_date_names_the_text_and_an_example() -> None:
    with pytest.raises(TimerDefinitionError, match=r"'tomorrow' is not an ISO 8601 date-time"):
        parse_timer("date", "tomorrow")


def test_parse_datetime_returns_aware_utc() -> None:
    assert parse_datetime("2026-03-01T10:00:00-05:00") == utc(2026, 3, 1, 15)
    assert parse_datetime("2026-03-01T10:00:00-05:00").utcoffset() == timedelta(0)


# --- timeDuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("PT5M", timedelta(minutes=5)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(weeks=2)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT1,5H", timedelta(minutes=90)),
        ("P1.5D", timedelta(hours=36)),
        ("pt10s", timedelta(seconds=10)),
    ],
)
def test_duration_timer_fires_after_the_duration(text: str, delta: timedelta) -> None:
    schedule = parse_timer(TimerKind.DURATION, text)
    assert schedule.first_due(ARMED) == ARMED + delta
    assert schedule.repetitions == 1
    assert schedule.next_due(ARMED + delta) is None


def test_duration_with_months_is_calendar_aware() -> None:
    assert parse_duration("P1M").add_to(utc(2026, 1, 31, 10)) == utc(2026, 2, 28, 10)
    assert parse_duration("P1M").add_to(utc(2028, 1, 31)) == utc(2028, 2, 29)
    assert parse_duration("P1Y2M").add_to(utc(2026, 3, 15)) == utc(2027, 5, 15)
    assert parse_duration("P1Y").add_to(utc(2028, 2, 29)) == utc(2029, 2, 28)
    assert parse_duration("P13M1D").add_to(utc(2026, 12, 31)) == utc(2028, 2, 1)


def test_duration_fields_and_iso_text() -> None:
    duration = parse_duration("P1Y2M3W4DT5H6M7.5S")
    assert (duration.years, duration.months, duration.days) == (1, 2, 25)
    assert duration.time == timedelta(hours=5, minutes=6, seconds=7.5)
    assert duration.isoformat() == "P1Y2M25DT5H6M7.5S"
    assert str(Duration()) == "PT0S"


def test_duration_added_to_a_non_utc_datetime_returns_utc() -> None:
    eastern = timezone(timedelta(hours=-5))
    due = parse_timer("duration", "PT1H").first_due(datetime(2026, 1, 1, 9, tzinfo=eastern))
    assert due == utc(2026, 1, 1, 15)
    assert due.tzinfo == UTC


def test_naive_start_is_taken_as_utc() -> None:
    assert parse_timer("duration", "PT1H").first_due(datetime(2026, 1, 1, 9)) == utc(2026, 1, 1, 10)


def test_invalid_duration_names_the_text_in_the_error() -> None:
    with pytest.raises(TimerDefinitionError) as caught:
        parse_timer("duration", "PT5X")
    assert str(caught.value) == ("'PT5X' is not an ISO 8601 duration (expected e.g. PT5M, P1DT2H)")
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "5M", "P5", "PT5M5H", "P-1D", "1 hour"])
def test_malformed_durations_are_rejected(text: str) -> None:
    with pytest.raises(TimerDefinitionError, match="is not an ISO 8601 duration"):
        parse_duration(text)


def test_negative_duration_error_says_negative_is_unsupported() -> None:
    with pytest.raises(TimerDefinitionError, match="negative durations are not supported"):
        parse_duration("-PT5M")


def test_fractional_months_are_rejected() -> None:
    with pytest.raises(TimerDefinitionError, match="fractional years or months"):
        parse_duration("P1.5M")


def test_absurdly_long_duration_is_rejected_not_overflowing() -> None:
    with pytest.raises(TimerDefinitionError, match="too long"):
        parse_duration("PT" + "9" * 40 + "H")


def test_zero_duration_fires_immediately() -> None:
    assert parse_timer("duration", "PT0S").first_due(ARMED) == ARMED


# --- timeCycle: ISO repeating intervals ----------------------------------------------------


def test_repeating_cycle_fires_three_times_then_stops() -> None:
    schedule = parse_timer(TimerKind.CYCLE, "R3/PT10M")
    assert schedule.repetitions == 3
    assert first(schedule, 10) == [ARMED + timedelta(minutes=m) for m in (10, 20, 30)]


def test_next_due_is_computed_from_the_stored_due_time_and_fired_count_alone() -> None:
    schedule = parse_timer("cycle", "R3/PT10M")
    due = schedule.first_due(ARMED)
    assert schedule.next_due(due, 1) == due + timedelta(minutes=10)
    assert schedule.next_due(due + timedelta(minutes=10), 2) == due + timedelta(minutes=20)
    assert schedule.next_due(due + timedelta(minutes=20), 3) is None


def test_next_due_rejects_a_fired_count_below_one() -> None:
    with pytest.raises(ValueError, match="fired_count"):
        parse_timer("cycle", "R/PT1M").next_due(ARMED, 0)


def test_unbounded_cycle_never_runs_out() -> None:
    schedule = parse_timer("cycle", "R/PT1H")
    assert schedule.repetitions is None
    assert schedule.next_due(ARMED, 1_000_000) == ARMED + timedelta(hours=1)
    assert first(schedule, 3) == [ARMED + timedelta(hours=h) for h in (1, 2, 3)]


def test_cycle_with_start_fires_first_at_the_start_date_even_if_past() -> None:
    schedule = parse_timer("cycle", "R5/2026-01-01T00:00:00Z/PT1H")
    assert schedule.first_due(ARMED) == utc(2026, 1, 1)
    assert first(schedule, 10) == [utc(2026, 1, 1, h) for h in range(5)]


def test_cycle_with_start_is_anchored_so_monthly_stays_on_month_ends() -> None:
    schedule = parse_timer("cycle", "R/2026-01-31T00:00:00Z/P1M")
    assert first(schedule, 4) == [
        utc(2026, 1, 31),
        utc(2026, 2, 28),
        utc(2026, 3, 31),
        utc(2026, 4, 30),
    ]
    assert schedule.next_due(utc(2026, 2, 28), 2) == utc(2026, 3, 31)


def test_cycle_with_end_stops_after_the_end() -> None:
    schedule = parse_timer("cycle", "R/P1D/2026-02-02T12:00:00Z")
    assert schedule.repetitions is None
    assert first(schedule, 10) == [utc(2026, 2, 1, 10), utc(2026, 2, 2, 10)]


def test_cycle_whose_end_has_passed_cannot_be_armed() -> None:
    with pytest.raises(TimerDefinitionError, match="no occurrence after"):
        parse_timer("cycle", "R/PT1H/2020-01-01T00:00:00Z").first_due(ARMED)


def test_cycle_from_start_and_end_uses_their_difference_as_period() -> None:
    schedule = parse_timer("cycle", "R2/2026-01-01T00:00:00Z/2026-01-01T06:00:00Z")
    assert first(schedule, 5) == [utc(2026, 1, 1), utc(2026, 1, 1, 6)]


def test_r0_cycle_is_rejected_because_it_never_fires() -> None:
    with pytest.raises(TimerDefinitionError, match="R0"):
        parse_timer("cycle", "R0/PT1M")


@pytest.mark.parametrize("text", ["R/PT0S", "R3/P0D"])
def test_cycle_with_zero_period_is_rejected(text: str) -> None:
    with pytest.raises(TimerDefinitionError, match="zero period"):
        parse_timer("cycle", text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PT10M", "'PT10M' is not a timer cycle (expected e.g. R3/PT10M"),
        ("every hour", "'every hour' is not a timer cycle"),
        ("R3/PT10M/x/y", "is not a repeating interval"),
        ("R3/PT10X", "'PT10X' is not an ISO 8601 duration"),
    ],
)
def test_invalid_cycle_explains_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(TimerDefinitionError) as caught:
        parse_timer("cycle", text)
    assert message in str(caught.value)


# --- timeCycle: cron -----------------------------------------------------------------------


def test_quartz_cron_every_five_minutes_from_a_given_instant() -> None:
    schedule = parse_timer("cycle", "0 0/5 * * * ?")
    assert schedule.repetitions is None
    start = utc(2026, 3, 1, 10, 2, 30)
    assert first(schedule, 3, start) == [utc(2026, 3, 1, 10, m) for m in (5, 10, 15)]
    assert schedule.next_due(utc(2026, 3, 1, 23, 55), 500) == utc(2026, 3, 2)


def test_cron_first_due_is_strictly_after_the_start() -> None:
    schedule = parse_timer("cycle", "0 0 9 * * MON-FRI")
    assert schedule.first_due(utc(2026, 3, 2, 9)) == utc(2026, 3, 3, 9)
    assert schedule.first_due(utc(2026, 3, 6, 9, 0, 0, 1)) == utc(2026, 3, 9, 9)


def test_classic_five_field_cron_fires_on_whole_minutes() -> None:
    schedule = parse_timer("cycle", "*/5 * * * *")
    assert first(schedule, 2, utc(2026, 1, 1, 0, 0, 1)) == [
        utc(2026, 1, 1, 0, 5),
        utc(2026, 1, 1, 0, 10),
    ]


@pytest.mark.timeout(30)  # a hang guard, not a speed claim
def test_feb_29_cron_is_computed_without_hanging() -> None:
    schedule = parse_timer("cycle", "0 0 0 29 2 ?")
    due = schedule.first_due(utc(2096, 3, 1))
    assert due == utc(2104, 2, 29)  # 2100 is not a leap year


def test_impossible_cron_is_rejected_as_never_firing() -> None:
    with pytest.raises(TimerDefinitionError, match="never fires"):
        parse_timer("cycle", "0 0 0 30 2 ?")


def test_cron_with_past_years_cannot_be_armed_and_stops_after_its_last_year() -> None:
    schedule = parse_timer("cycle", "0 0 0 1 1 ? 2027")
    assert schedule.first_due(ARMED) == utc(2027, 1, 1)
    assert schedule.next_due(utc(2027, 1, 1), 1) is None
    with pytest.raises(TimerDefinitionError, match="no occurrence"):
        schedule.first_due(utc(2028, 1, 1))


def test_invalid_cron_names_the_text_and_field() -> None:
    with pytest.raises(TimerDefinitionError, match=r"'0 0 25 \* \* \?'.*hour field"):
        parse_timer("cycle", "0 0 25 * * ?")


# --- expressions and evaluated values -----------------------------------------------------


@pytest.mark.parametrize("text", ["${dueDate}", "#{delay}", "= duration(x)", "R3/${interval}"])
def test_expressions_are_recognised(text: str) -> None:
    assert is_timer_expression(text)
    with pytest.raises(TimerDefinitionError, match="is an expression"):
        parse_timer("duration", text)


@pytest.mark.parametrize("text", ["PT5M", "0 0 12 ? * 6#3", "2026-03-01T10:00:00Z", "R/PT1H"])
def test_plain_timer_text_is_not_an_expression(text: str) -> None:
    assert not is_timer_expression(text)


def test_schedule_from_evaluated_values() -> None:
    assert schedule_from_value("date", utc(2026, 5, 1)).first_due(ARMED) == utc(2026, 5, 1)
    assert schedule_from_value("date", datetime(2026, 5, 1, 8)).first_due(ARMED) == utc(
        2026, 5, 1, 8
    )
    assert schedule_from_value("date", date(2026, 5, 1)).first_due(ARMED) == utc(2026, 5, 1)
    duration = schedule_from_value("duration", timedelta(minutes=90))
    assert duration.first_due(ARMED) == ARMED + timedelta(minutes=90)
    assert duration.text == "PT1H30M"
    cycle = schedule_from_value(TimerKind.CYCLE, timedelta(hours=2))
    assert cycle.repetitions is None
    assert first(cycle, 2) == [ARMED + timedelta(hours=2), ARMED + timedelta(hours=4)]
    assert schedule_from_value("cycle", "R2/PT1M").repetitions == 2


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("date", timedelta(hours=1)),
        ("duration", utc(2026, 1, 1)),
        ("duration", timedelta(seconds=-1)),
        ("cycle", timedelta(0)),
        ("cycle", 42),
        ("date", None),
    ],
)
def test_schedule_from_value_rejects_values_of_the_wrong_type(kind: str, value: object) -> None:
    with pytest.raises(TimerDefinitionError, match=f"timer {kind}"):
        schedule_from_value(kind, value)  # type: ignore[arg-type]


def test_kind_accepts_enum_plain_strings_and_bpmn_element_names() -> None:
    for kind in (TimerKind.DURATION, "duration", "timeDuration"):
        assert parse_timer(kind, "PT1M").kind == TimerKind.DURATION
    with pytest.raises(TimerDefinitionError, match="unknown timer kind"):
        parse_timer("weekly", "PT1M")


def test_empty_text_is_rejected() -> None:
    with pytest.raises(TimerDefinitionError, match="empty"):
        parse_timer("cycle", "   ")


# --- properties ---------------------------------------------------------------------------

_TOKENS = st.sampled_from(
    [
        "*",
        "?",
        "0",
        "5",
        "1-5",
        "*/3",
        "L",
        "LW",
        "15W",
        "6#3",
        "FRIL",
        "MON-FRI",
        "JAN",
        "/",
        "-",
        ",",
        "#",
        "W",
        "L-3",
        "7",
        "31",
        "29",
        "60",
        "2030",
        "R",
        "P",
        "T",
        "M",
        "D",
        "Y",
        "H",
        "S",
        ".",
        "Z",
        ":",
        "+",
        "2026-01-01",
        "PT1H",
        "R3/",
        " ",
        "${",
        "\u0663",
    ]
)
_TEXT = st.one_of(
    st.text(),
    st.lists(_TOKENS, max_size=12).map("".join),
    st.lists(_TOKENS, min_size=5, max_size=7).map(" ".join),
)
_STARTS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(list(TimerKind)), _TEXT, _STARTS)
def test_parse_timer_on_random_text_returns_a_schedule_or_a_definition_error(
    kind: TimerKind, text: str, start: datetime
) -> None:
    try:
        schedule = parse_timer(kind, text)
    except TimerDefinitionError:
        return
    assert isinstance(schedule, TimerSchedule)
    try:
        dues = first(schedule, 3, start)
    except TimerDefinitionError:
        return
    assert all(due.tzinfo == UTC for due in dues)


_DURATIONS = st.builds(
    lambda y, mo, w, d, h, mi, s, frac: (
        "P"
        + "".join(f"{v}{u}" for v, u in ((y, "Y"), (mo, "M"), (w, "W"), (d, "D")) if v)
        + ("T" + "".join(f"{v}{u}" for v, u in ((h, "H"), (mi, "M")) if v) + f"{s}.{frac}S")
    ),
    *(st.integers(0, 30) for _ in range(7)),
    st.integers(1, 999),
)


@given(_DURATIONS, _STARTS)
def test_random_valid_durations_fire_after_the_start(text: str, start: datetime) -> None:
    schedule = parse_timer("duration", text)
    assert schedule.first_due(start) > start
    assert parse_duration(str(parse_duration(text))) == parse_duration(text)


@given(_DURATIONS, st.integers(1, 6), _STARTS)
def test_bounded_cycles_fire_exactly_n_times_in_increasing_order(
    duration: str, n: int, start: datetime
) -> None:
    dues = first(parse_timer("cycle", f"R{n}/{duration}"), n + 5, start)
    assert len(dues) == n
    assert all(a < b for a, b in itertools.pairwise([start, *dues]))
