"""Turning one submitted value (JSON from an API client, text from an HTML form) into
the typed value of its field, or a friendly message saying why not."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from bpmn_engine.forms.spec import (
    BOOLEAN,
    CHOICE,
    DATE,
    DATETIME,
    INTEGER,
    MULTICHOICE,
    NUMBER,
    TEXT,
    TEXTAREA,
    TIME,
    FieldSpec,
    Option,
)

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
_INTEGER_TEXT = re.compile(r"[+-]?\d{1,19}\Z")
_NUMBER_TEXT = re.compile(r"[+-]?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})([eE][+-]?\d{1,3})?\Z")
_TRUE = {"true", "on", "1", "yes"}
_FALSE = {"false", "off", "0", "no", ""}
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# Java SimpleDateFormat letters used by camunda:formField datePattern -> strptime
_DATE_LETTERS = (
    ("yyyy", "%Y"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
)


class Invalid(Exception):
    """A value that does not fit its field; the message is shown to the user."""


def is_empty(value: Any) -> bool:
    """Nothing entered: None, blank text (spaces only count as blank) or no choice."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def coerce(spec: FieldSpec, value: Any, options: tuple[Option, ...]) -> Any:
    """The typed value of ``value`` for ``spec`` (``options`` resolved by the caller)."""
    kind = spec.kind
    if kind in (TEXT, TEXTAREA):
        return _text(spec, value)
    if kind == INTEGER:
        return _integer(value)
    if kind == NUMBER:
        return _number(spec, value)
    if kind == BOOLEAN:
        return _boolean(value)
    if kind == DATE:
        return _date(spec, value)
    if kind == TIME:
        return _time(value)
    if kind == DATETIME:
        return _datetime(value)
    if kind == CHOICE:
        return _choice(value, options)
    if kind == MULTICHOICE:
        return _choices(value, options)
    raise Invalid("This field cannot be filled in.")


def _text(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("Enter text.")
    if len(value) > spec.text_limit:
        raise Invalid(f"Enter at most {spec.text_limit} characters (it has {len(value)}).")
    if _BAD_TEXT.search(value):
        raise Invalid("Remove the control character or broken symbol from the text.")
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid("Enter a whole number.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _INTEGER_TEXT.match(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise Invalid("Enter a whole number.")
    if not LONG_MIN <= value <= LONG_MAX:
        raise Invalid("Enter a smaller number.")
    return value


def _number(spec: FieldSpec, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid("Enter a number.")
    text = value.strip() if isinstance(value, str) else repr(value)
    if isinstance(value, str) and not _NUMBER_TEXT.match(text):
        raise Invalid("Enter a number.")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Invalid("Enter a number.") from None
    if not number.is_finite() or abs(number) > Decimal(10) ** 30:
        raise Invalid("Enter a smaller number.")
    if spec.decimal_digits is not None:
        exponent = number.normalize().as_tuple().exponent
        digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if digits > spec.decimal_digits:
            if spec.decimal_digits == 0:
                raise Invalid("Enter a whole number.")
            raise Invalid(f"Enter at most {spec.decimal_digits} decimal digits.")
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise Invalid("Choose yes or no.")


def _date(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or len(value) > 40:
        raise Invalid("Enter a date.")
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    if "T" in text:  # a date-time (Camunda sends dates so): keep its date
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            pass
    if spec.date_pattern:
        try:
            return datetime.strptime(text, _strptime_format(spec.date_pattern)).date().isoformat()
        except ValueError:
            pass
    hint = f" as {spec.date_pattern} or" if spec.date_pattern else " as"
    raise Invalid(f"Enter a valid date{hint} YYYY-MM-DD.")


def _strptime_format(java_pattern: str) -> str:
    result = java_pattern.replace("%", "%%")
    for letters, directive in _DATE_LETTERS:
        result = result.replace(letters, directive)
    return result


def _time(value: Any) -> str:
    if isinstance(value, time):
        return value.isoformat()
    if not isinstance(value, str) or len(value) > 40:
        raise Invalid("Enter a time.")
    try:
        return time.fromisoformat(value.strip().replace("Z", "+00:00")).isoformat()
    except ValueError:
        raise Invalid("Enter a valid time as HH:MM.") from None


def _datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if not isinstance(value, str) or len(value) > 60:
        raise Invalid("Enter a date and time.")
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).isoformat()
    except ValueError:
        raise Invalid("Enter a valid date and time as YYYY-MM-DDTHH:MM.") from None


def _option(value: Any, options: tuple[Option, ...]) -> Any:
    for option in options:
        if option.value == value and type(option.value) is type(value):
            return option.value
    if isinstance(value, str):  # HTML forms send every value as text
        for option in options:
            if str(option.value) == value:
                return option.value
    raise Invalid("Choose one of the offered options.")


def _choice(value: Any, options: tuple[Option, ...]) -> Any:
    if isinstance(value, list | dict):
        raise Invalid("Choose one of the offered options.")
    return _option(value, options)


def _choices(value: Any, options: tuple[Option, ...]) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise Invalid("Choose from the offered options.")
    chosen = [_option(v, options) for v in value[: len(options) + 1]]
    if len(value) > len(options) or len({repr(c) for c in chosen}) != len(chosen):
        raise Invalid("Choose each option at most once.")
    return chosen
