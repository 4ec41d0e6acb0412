"""JUEL and FEEL operator tables, truthiness and text conversion (see :mod:`.values`)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from .errors import EvalFailure
from .limits import text_size
from .values import (
    NUMBERS,
    PLAIN_OPS,
    BinaryOp,
    Unsupported,
    add,
    mod,
    mul,
    order,
    plain_truth,
    power,
    sub,
    truediv,
    type_name,
)


# -- JUEL --------------------------------------------------------------------------------
def juel_number(value: Any) -> int | float:
    """EL coercion to a number: null and "" are 0, numeric strings are parsed."""
    if type(value) in NUMBERS:
        return value
    if value is None:
        return 0
    if type(value) is str:
        text = value.strip()
        if not text:
            return 0
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            pass
        raise EvalFailure(f"cannot coerce {value[:50]!r} to a number")
    raise EvalFailure(f"cannot coerce {type_name(value)} to a number")


def juel_bool(value: Any) -> bool:
    """EL coercion to a boolean: null and "" are false, strings compare with "true"."""
    if value is True or value is False:
        return value
    if value is None:
        return False
    if type(value) is str:
        return value.strip().lower() == "true"
    raise EvalFailure(f"cannot coerce {type_name(value)} to a boolean")


def to_text(value: Any) -> str:
    """EL coercion to a string (used by composite templates)."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return iso_duration(value)
    if type(value) in (list, tuple, dict):
        text_size(value)  # refuse a value whose text would be huge before building it
    return str(value)


def iso_duration(value: timedelta) -> str:
    """ISO 8601 text for a timedelta, e.g. ``P1DT2H``."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    secs = (
        f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
        if (value.microseconds)
        else str(seconds)
    )
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M")) if n)
    if seconds or value.microseconds:
        time += f"{secs}S"
    days = f"{value.days}D" if value.days else ""
    if not days and not time:
        return "PT0S"
    return f"{sign}P{days}{'T' + time if time else ''}"


def _juel_arith(op: str, generic: BinaryOp) -> BinaryOp:
    def apply(a: Any, b: Any) -> Any:
        ta, tb = type(a), type(b)
        if ta in NUMBERS and tb in NUMBERS:
            return generic(a, b)
        if op == "+" and ta is str and tb is str:
            try:
                return generic(juel_number(a), juel_number(b))
            except EvalFailure:
                return add(a, b)
        if a is None or b is None or ta is str or tb is str:
            return generic(juel_number(a), juel_number(b))
        return generic(a, b)

    return apply


def _juel_ordering(op: str) -> BinaryOp:
    def compare(a: Any, b: Any) -> bool:
        ta, tb = type(a), type(b)
        if ta in NUMBERS and tb in NUMBERS:
            return order(op, a, b)
        if a is None or b is None:
            return False
        if (ta is str and tb in NUMBERS) or (tb is str and ta in NUMBERS):
            return order(op, juel_number(a), juel_number(b))
        return order(op, a, b)

    return compare


def juel_eq(a: Any, b: Any) -> bool:
    """EL equality with coercion (number, then boolean, then string)."""
    if a is None or b is None:
        return a is b
    ta, tb = type(a), type(b)
    try:
        if ta in NUMBERS or tb in NUMBERS:
            return juel_number(a) == juel_number(b)
        if ta is bool or tb is bool:
            return juel_bool(a) == juel_bool(b)
        if ta is str or tb is str:
            return to_text(a) == to_text(b)
    except EvalFailure:
        return False
    return bool(a == b)


def juel_negate(value: Any) -> Any:
    if type(value) is timedelta:
        return -value
    return -juel_number(value)


JUEL_OPS: dict[str, BinaryOp] = {
    "+": _juel_arith("+", add),
    "-": _juel_arith("-", sub),
    "*": _juel_arith("*", mul),
    "/": _juel_arith("/", lambda a, b: truediv(float(a), b) if type(a) is int else truediv(a, b)),
    "%": _juel_arith("%", mod),
    "==": juel_eq,
    "!=": lambda a, b: not juel_eq(a, b),
    **{op: _juel_ordering(op) for op in ("<", ">", "<=", ">=")},
}


# -- FEEL --------------------------------------------------------------------------------
def _family(value: Any) -> object:
    t = type(value)
    if t in NUMBERS:
        return NUMBERS
    if t is tuple:
        return list
    return t


def feel_key(value: Any) -> tuple | None:
    """A hashable key under which scalars equal by FEEL ``=`` coincide (``1`` and ``1.0``,
    not ``1`` and ``true``); None for lists, contexts and other unhashable values."""
    if type(value) in (list, tuple, dict):
        return None
    try:
        hash(value)
    except TypeError:
        return None
    return (_family(value), value)


def feel_eq(a: Any, b: Any) -> bool | None:
    """FEEL ``=``: null equals only null; values of different types give null."""
    if a is None or b is None:
        return a is b
    if _family(a) is not _family(b):
        return None
    return bool(a == b)


def feel_ne(a: Any, b: Any) -> bool | None:
    result = feel_eq(a, b)
    return None if result is None else not result


def _feel_null_safe(generic: BinaryOp) -> BinaryOp:
    def apply(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        try:
            return generic(a, b)
        except Unsupported:
            return None

    return apply


def _feel_div(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int and b and a % b == 0:
        return a // b
    return truediv(a, b)


class FeelRange:
    """A FEEL range such as ``[1..5)``, usable on the right of ``in``."""

    __slots__ = ("end", "end_incl", "start", "start_incl")

    def __init__(self, start: Any, end: Any, start_incl: bool, end_incl: bool) -> None:
        self.start, self.end = start, end
        self.start_incl, self.end_incl = start_incl, end_incl

    def contains(self, value: Any) -> bool | None:
        if value is None:
            return None
        try:
            low = self.start is None or order("<=" if self.start_incl else "<", self.start, value)
            high = self.end is None or order("<=" if self.end_incl else "<", value, self.end)
        except Unsupported:
            return None
        return low and high

    def __repr__(self) -> str:
        return (
            f"{'[' if self.start_incl else '('}{self.start!r}.."
            f"{self.end!r}{']' if self.end_incl else ')'}"
        )


def feel_in(a: Any, b: Any) -> bool | None:
    """FEEL ``in``: range test, list membership, or equality."""
    if isinstance(b, FeelRange):
        return b.contains(a)
    if type(b) in (list, tuple):
        return any(feel_eq(a, item) is True for item in b)
    return feel_eq(a, b)


def _ordered(op: str, a: Any, b: Any) -> Any:
    return order(op, a, b)


def feel_negate(value: Any) -> Any:
    if type(value) in NUMBERS or type(value) is timedelta:
        return -value
    return None


FEEL_OPS: dict[str, BinaryOp] = {
    "+": _feel_null_safe(add),
    "-": _feel_null_safe(sub),
    "*": _feel_null_safe(mul),
    "/": _feel_null_safe(_feel_div),
    "**": _feel_null_safe(power),
    "==": feel_eq,
    "!=": feel_ne,
    "in": feel_in,
    **{op: _feel_null_safe(partial(_ordered, op)) for op in ("<", ">", "<=", ">=")},
}

OPERATORS: dict[str, dict[str, BinaryOp]] = {
    "plain": PLAIN_OPS,
    "juel": JUEL_OPS,
    "feel": FEEL_OPS,
}


def feel_truth(value: Any) -> bool:
    return value is True


TRUTH = {"plain": plain_truth, "juel": juel_bool, "feel": feel_truth}
NEGATE = {"juel": juel_negate, "feel": feel_negate}
