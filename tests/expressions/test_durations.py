"""One ISO 8601 duration grammar: BPMN timers, the ``duration()`` function and FEEL
literals read the same texts the same way, each applying only its own profile."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_engine.bpmn.timers import TimerDefinitionError
from bpmn_engine.bpmn.timers import parse_duration as timer_duration
from bpmn_engine.expressions import ExpressionError, evaluate
from bpmn_engine.expressions.durations import scan_duration
from bpmn_engine.expressions.feel.chrono import DaysTime
from bpmn_engine.expressions.feel.temporal import parse_duration as feel_duration

EXACT = ["PT5M", "P1DT2H", "P2W", "PT0.5S", "P1.5D", "PT1,5H", "P1W2DT3H4M5.25S"]
NOT_DURATIONS = ["P", "PT", "P1DT", "1D", "P1H", "PT1D", "P1S", "P-1D", "P1.D", ""]


@pytest.mark.parametrize("text", EXACT)
def test_timers_and_the_duration_function_agree_on_exact_durations(text: str) -> None:
    timer = timer_duration(text)
    assert timer.years == timer.months == 0
    as_timer = timedelta(days=timer.days) + timer.time
    assert evaluate(f'= duration("{text}")', {}) == as_timer


@pytest.mark.parametrize("text", NOT_DURATIONS)
def test_no_reader_accepts_what_the_grammar_refuses(text: str) -> None:
    assert scan_duration(text) is None
    with pytest.raises(TimerDefinitionError):
        timer_duration(text)
    with pytest.raises(ExpressionError):
        evaluate(f'= duration("{text}")', {})
    with pytest.raises(ValueError):
        feel_duration(text)


def test_each_reader_keeps_its_own_profile() -> None:
    with pytest.raises(TimerDefinitionError, match="negative"):
        timer_duration("-PT5M")
    assert evaluate('= duration("-PT5M")', {}) == timedelta(minutes=-5)
    assert timer_duration("P1Y2M").months == 2
    with pytest.raises(ExpressionError, match="year-month"):
        evaluate('= duration("P1Y2M")', {})
    assert feel_duration("P1Y2M").months == 14  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        feel_duration("P2W")  # FEEL days-time durations have no weeks
    with pytest.raises(ValueError):
        feel_duration("P1Y2D")  # nor mix years-months with days-time
    assert feel_duration("PT1.5S") == DaysTime(1_500_000_000)
