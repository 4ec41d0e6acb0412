"""DMN values to and from JSON: numbers keep their decimal digits, temporal values are
ISO 8601 text, contexts are objects and lists arrays."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bpmn_engine.expressions.feel import to_feel, to_text
from bpmn_engine.expressions.feel.chrono import TEMPORAL_TYPES
from bpmn_engine.expressions.feel.temporal import (
    parse_date,
    parse_datetime,
    parse_duration,
    parse_time,
)
from bpmn_engine.expressions.feel.types import Function, Range, YearsMonths

_TEMPORAL = (*TEMPORAL_TYPES, YearsMonths, Range, Function)
_PARSERS = {
    "date": parse_date,
    "time": parse_time,
    "dateTime": parse_datetime,
    "date and time": parse_datetime,
    "dayTimeDuration": parse_duration,
    "days and time duration": parse_duration,
    "yearMonthDuration": parse_duration,
    "years and months duration": parse_duration,
    "duration": parse_duration,
}


def to_json(value: Any) -> Any:
    """A FEEL value as JSON-ready data; numbers stay ``Decimal`` (render them as number
    text, never through a float)."""
    if isinstance(value, _TEMPORAL):
        return to_text(value)
    if type(value) is list:
        return [to_json(v) for v in value]
    if type(value) is dict:
        return {k: to_json(v) for k, v in value.items()}
    return value


def to_json_safe(value: Any) -> Any:
    """Like :func:`to_json`, numbers as ``int`` when integral, else their text (for
    storage in JSON columns)."""
    value = to_json(value)
    if type(value) is Decimal:
        return int(value) if value == value.to_integral_value() else str(value)
    if type(value) is list:
        return [to_json_safe(v) for v in value]
    if type(value) is dict:
        return {k: to_json_safe(v) for k, v in value.items()}
    return value


def from_json(value: Any, type_ref: str | None = None) -> Any:
    """A JSON input as a FEEL value; text becomes a temporal value when ``type_ref`` says
    so (``date``, ``time``, ``dateTime``, durations)."""
    if type(value) is str and type_ref:
        parser = _PARSERS.get(type_ref.removeprefix("feel:"))
        if parser is not None:
            return parser(value)
    if type(value) is float:
        return Decimal(repr(value))
    return to_feel(value)
