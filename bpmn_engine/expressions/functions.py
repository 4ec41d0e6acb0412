"""Whitelisted built-in functions per dialect.

Only functions listed here can be called; variables are never callable. Each entry is
``name -> (implementation, min_args, max_args)`` with ``max_args = None`` for variadic.
FEEL functions return null when a required argument is null.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .dialects import feel_eq, feel_key, iso_duration, to_text
from .errors import EvalFailure
from .limits import MAX_ROUND_DIGITS, MAX_WORK, check_size, text_size, weight
from .temporal import now, parse_date, parse_datetime, parse_duration, today
from .values import NUMBERS, Unsupported, order, plain_truth, type_name

Builtin = tuple[Callable[..., Any], int, int | None]


def want(value: Any, types: type | tuple[type, ...], fname: str, what: str) -> Any:
    """Return ``value`` if it has one of ``types`` (exactly; bool is not a number)."""
    allowed = types if isinstance(types, tuple) else (types,)
    if type(value) not in allowed:
        raise EvalFailure(f"{fname}() expects {what}, got {type_name(value)}")
    return value


def _seq(value: Any, fname: str) -> list | tuple:
    return want(value, (list, tuple), fname, "a list")


def _num(value: Any, fname: str) -> int | float:
    return want(value, (int, float), fname, "a number")


def _items(args: tuple, fname: str) -> list | tuple:
    return _seq(args[0], fname) if len(args) == 1 else args


def _extreme(pick: str) -> Callable[..., Any]:
    def extreme(*args: Any) -> Any:
        items = _items(args, pick)
        if not items:
            raise EvalFailure(f"{pick}() of an empty list")
        best = items[0]
        for item in items[1:]:
            if order("<" if pick == "min" else ">", item, best):
                best = item
        return best

    return extreme


def _sum(values: Any, start: Any = 0) -> Any:
    items = _seq(values, "sum")
    if not all(type(v) in NUMBERS for v in items) or type(start) not in NUMBERS:
        raise EvalFailure("sum() expects a list of numbers")
    return (
        math.fsum((start, *items)) if any(type(v) is float for v in items) else (sum(items, start))
    )


# -- plain ---------------------------------------------------------------------------------
def _len(value: Any) -> int:
    if isinstance(value, str | list | dict | tuple):
        return len(value)
    raise EvalFailure(f"len() expects a string, list or mapping, got {type_name(value)}")


def _str(value: Any) -> str:
    text_size(value)  # refuse a huge text before building it (shared lists expand)
    result = str(value)
    check_size(len(result))
    return result


def _int(value: Any) -> int:
    if type(value) is str:
        try:
            return int(value.strip())
        except ValueError:
            raise EvalFailure(f"invalid integer {value[:50]!r}") from None
    want(value, (int, float, bool), "int", "a number or string")
    return int(value)


def _float(value: Any) -> float:
    if type(value) is str:
        try:
            return float(value.strip())
        except ValueError:
            raise EvalFailure(f"invalid number {value[:50]!r}") from None
    return float(want(value, (int, float, bool), "float", "a number or string"))


def _abs(value: Any) -> Any:
    if type(value) in NUMBERS or type(value).__name__ == "timedelta":
        return abs(value)
    raise EvalFailure(f"abs() expects a number, got {type_name(value)}")


def _digits(digits: Any, fname: str) -> int:
    """An integer number of digits within :data:`MAX_ROUND_DIGITS` (``round(5, -10**9)``
    would otherwise compute ``10**(10**9)``)."""
    want(digits, int, fname, "an integer number of digits")
    if abs(digits) > MAX_ROUND_DIGITS:
        raise EvalFailure(
            f"{fname}() digits must be between -{MAX_ROUND_DIGITS} and {MAX_ROUND_DIGITS}"
        )
    return digits


def _round(value: Any, digits: Any = None) -> Any:
    _num(value, "round")
    if digits is None:
        return round(value)
    return round(value, _digits(digits, "round"))


def _sorted(values: Any) -> list:
    try:
        return sorted(_seq(values, "sorted"))
    except TypeError:
        raise EvalFailure("sorted() needs mutually comparable items") from None


PLAIN_FUNCTIONS: dict[str, Builtin] = {
    "len": (_len, 1, 1),
    "str": (_str, 1, 1),
    "int": (_int, 1, 1),
    "float": (_float, 1, 1),
    "bool": (plain_truth, 1, 1),
    "abs": (_abs, 1, 1),
    "min": (_extreme("min"), 1, None),
    "max": (_extreme("max"), 1, None),
    "sum": (_sum, 1, 2),
    "round": (_round, 1, 2),
    "sorted": (_sorted, 1, 1),
    "any": (lambda v: any(plain_truth(x) for x in _seq(v, "any")), 1, 1),
    "all": (lambda v: all(plain_truth(x) for x in _seq(v, "all")), 1, 1),
}


# -- FEEL ----------------------------------------------------------------------------------
def _nullable(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        if any(a is None for a in args):
            return None
        return fn(*args)

    return wrapper


def _s(value: Any, fname: str) -> str:
    return want(value, str, fname, "a string")


def _substring(value: Any, start: Any, length: Any = None) -> str:
    text = _s(value, "substring")
    begin = int(_num(start, "substring"))
    index = begin - 1 if begin > 0 else max(len(text) + begin, 0)
    if length is None:
        return text[index:]
    return text[index : index + max(int(_num(length, "substring")), 0)]


def _before(value: Any, match: Any) -> str:
    head, found, _ = _s(value, "substring before").partition(_s(match, "substring before"))
    return head if found else ""


def _append(values: Any, *items: Any) -> list:
    base = _seq(values, "append")
    check_size(weight(base) + sum(weight(item) for item in items))
    return [*base, *items]


def _number(value: Any) -> int | float | None:
    if type(value) in NUMBERS:
        return value
    text = _s(value, "number").strip()
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return None


def feel_string(value: Any) -> str | None:
    """FEEL ``string(x)``: null stays null; booleans are ``true``/``false``."""
    if value is None:
        return None
    if type(value).__name__ == "timedelta":
        return iso_duration(value)
    result = to_text(value)
    check_size(len(result))
    return result


def _scaled(rounder: Callable[[float], Any]) -> Callable[..., Any]:
    def apply(value: Any, scale: Any = 0) -> Any:
        _num(value, "round")
        if abs(want(scale, int, "round", "an integer scale")) > 50:
            raise EvalFailure("scale must be between -50 and 50")
        if scale == 0:
            return int(rounder(value))
        factor = 10**scale
        return rounder(value * factor) / factor

    return apply


def _index_of(values: Any, item: Any) -> list[int]:
    return [i for i, v in enumerate(_seq(values, "index of"), 1) if feel_eq(v, item) is True]


def _distinct(values: Any) -> list:
    """First occurrences in order. Scalars are found by hashing (linear); lists and
    contexts are compared pairwise, refused when that would exceed :data:`MAX_WORK`."""
    items = _seq(values, "distinct values")
    seen: set = set()
    out: list = []
    others: list = []
    for v in items:
        key = feel_key(v)
        if key is not None:
            if key not in seen:
                seen.add(key)
                out.append(v)
            continue
        if len(others) * len(items) > MAX_WORK:
            raise EvalFailure(f"distinct values() over {len(items)} lists or contexts is too large")
        if not any(feel_eq(v, other) is True for other in others):
            others.append(v)
            out.append(v)
    return out


def _feel_extreme(pick: str) -> Callable[..., Any]:
    inner = _extreme(pick)

    def extreme(*args: Any) -> Any:
        items = _items(args, pick)
        if not items or any(v is None for v in items):
            return None
        try:
            return inner(items)
        except Unsupported:
            return None

    return extreme


def _feel_sum(*args: Any) -> Any:
    items = _items(args, "sum")
    return _sum(items) if items else None


FEEL_FUNCTIONS: dict[str, Builtin] = {
    "string length": (_nullable(lambda s: len(_s(s, "string length"))), 1, 1),
    "upper case": (_nullable(lambda s: _s(s, "upper case").upper()), 1, 1),
    "lower case": (_nullable(lambda s: _s(s, "lower case").lower()), 1, 1),
    "contains": (_nullable(lambda s, x: _s(x, "contains") in _s(s, "contains")), 2, 2),
    "starts with": (
        _nullable(lambda s, x: _s(s, "starts with").startswith(_s(x, "starts with"))),
        2,
        2,
    ),
    "ends with": (_nullable(lambda s, x: _s(s, "ends with").endswith(_s(x, "ends with"))), 2, 2),
    "substring": (_nullable(_substring), 2, 3),
    "substring before": (_nullable(_before), 2, 2),
    "substring after": (
        _nullable(lambda s, x: _s(s, "substring after").partition(_s(x, "substring after"))[2]),
        2,
        2,
    ),
    "count": (_nullable(lambda v: len(_seq(v, "count"))), 1, 1),
    "sum": (_feel_sum, 1, None),
    "min": (_feel_extreme("min"), 1, None),
    "max": (_feel_extreme("max"), 1, None),
    "list contains": (
        lambda v, x: (
            None if v is None else any(feel_eq(i, x) is True for i in _seq(v, "list contains"))
        ),
        2,
        2,
    ),
    "append": (_append, 1, None),
    "index of": (_index_of, 2, 2),
    "distinct values": (_distinct, 1, 1),
    "get value": (lambda m, k: m.get(k) if isinstance(m, dict) else None, 2, 2),
    "is defined": (lambda v: v is not None, 1, 1),  # compiled specially
    "now": (now, 0, 0),
    "today": (today, 0, 0),
    "date": (parse_date, 1, 3),
    "date and time": (parse_datetime, 1, 1),
    "duration": (parse_duration, 1, 1),
    "number": (_nullable(_number), 1, 1),
    "string": (feel_string, 1, 1),
    "abs": (_nullable(_abs), 1, 1),
    "floor": (_nullable(_scaled(math.floor)), 1, 2),
    "ceiling": (_nullable(_scaled(math.ceil)), 1, 2),
    "round down": (_nullable(_scaled(math.trunc)), 1, 2),
    "round up": (_nullable(_scaled(lambda v: math.copysign(math.ceil(abs(v)), v))), 1, 2),
    "decimal": (
        _nullable(lambda v, s: round(_num(v, "decimal"), _digits(s, "decimal"))),
        2,
        2,
    ),
}

FUNCTIONS: dict[str, dict[str, Builtin]] = {
    "plain": PLAIN_FUNCTIONS,
    "juel": {"dateTime": (now, 0, 0)},  # Camunda 7's Joda ``dateTime()``: the current instant
    "feel": FEEL_FUNCTIONS,
}
