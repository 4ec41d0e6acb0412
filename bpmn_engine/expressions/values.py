"""Value semantics: arithmetic, comparison, truthiness and coercion for each dialect.

Shared rules (all dialects): booleans are not numbers; ``str + str`` and ``list + list``
concatenate (size-limited); ``date``/``datetime`` +/- ``timedelta`` and ``datetime -
datetime`` work as in Python; integer results are limited to ``MAX_INT_BITS`` bits.

* plain: Python semantics (``/`` is true division, ``'ab' * 2`` repeats, ``a or b``
  returns an operand); comparing incompatible types is an error.
* juel: EL coercions. Arithmetic coerces ``null`` to 0 and numeric strings to numbers
  (``'1' + 2`` is 3); ``+`` on two non-numeric strings concatenates (an extension);
  ``/`` always gives a float; relational operators with ``null`` are false; ``==``
  coerces like EL (number, then boolean, then string); booleans coerce ``"true"``.
* feel: three-valued logic; ``null`` operands and type mismatches give ``null``;
  ``/`` of integers that divide exactly stays an integer; ``=`` across types is ``null``.

Division by zero is an error in every dialect (FEEL would give null; a loud failure is
more useful in a process engine).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from .errors import EvalFailure
from .limits import MAX_INT_BITS, check_size, weight

BinaryOp = Callable[[Any, Any], Any]
NUMBERS = frozenset({int, float})
_TEMPORAL = frozenset({date, datetime, timedelta})
_ORDERABLE = frozenset({str, date, datetime, timedelta, list, tuple})
_PY_OPS: dict[str, BinaryOp] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class Unsupported(EvalFailure):
    """An operator was applied to operand types it does not support."""


def type_name(value: Any) -> str:
    """Short type name used in messages (``null`` for ``None``)."""
    return "null" if value is None else type(value).__name__


def unsupported(op: str, a: Any, b: Any) -> Unsupported:
    return Unsupported(f"'{op}' not supported between {type_name(a)} and {type_name(b)}")


def _check_bits(a: int, b: int, op: str) -> None:
    if a.bit_length() + b.bit_length() > MAX_INT_BITS:
        raise EvalFailure(f"result of '{op}' would exceed {MAX_INT_BITS} bits")


# -- generic arithmetic ----------------------------------------------------------------
def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta in NUMBERS and tb in NUMBERS:
        return a + b
    if ta is tb and ta is str:
        check_size(len(a) + len(b))
        return a + b
    if ta is tb and ta is list:
        check_size(weight(a) + weight(b))
        return a + b
    if tb is timedelta and ta in _TEMPORAL:
        return a + b
    if ta is timedelta and tb in _TEMPORAL:
        return b + a
    raise unsupported("+", a, b)


def sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta in NUMBERS and tb in NUMBERS:
        return a - b
    if (ta is tb and ta in _TEMPORAL) or (tb is timedelta and ta in _TEMPORAL):
        try:
            return a - b
        except TypeError:
            raise unsupported("-", a, b) from None
    raise unsupported("-", a, b)


def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta in NUMBERS and tb in NUMBERS:
        if ta is int and tb is int:
            _check_bits(a, b, "*")
        return a * b
    if ta is timedelta and tb in NUMBERS:
        return a * b
    if tb is timedelta and ta in NUMBERS:
        return b * a
    raise unsupported("*", a, b)


def truediv(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if (ta in NUMBERS or ta is timedelta) and (tb in NUMBERS or tb is timedelta):
        if not b:
            raise EvalFailure("division by zero")
        if ta is not timedelta and tb is timedelta:
            raise unsupported("/", a, b)
        return a / b
    raise unsupported("/", a, b)


def floordiv(a: Any, b: Any) -> Any:
    if type(a) in NUMBERS and type(b) in NUMBERS:
        if not b:
            raise EvalFailure("division by zero")
        return a // b
    raise unsupported("//", a, b)


def mod(a: Any, b: Any) -> Any:
    if type(a) in NUMBERS and type(b) in NUMBERS:
        if not b:
            raise EvalFailure("division by zero")
        return a % b
    raise unsupported("%", a, b)


def power(a: Any, b: Any) -> Any:
    """``a ** b``, refusing results larger than ``MAX_INT_BITS`` before computing them."""
    if type(a) not in NUMBERS or type(b) not in NUMBERS:
        raise unsupported("**", a, b)
    if b > 0 and abs(a) > 1 and (b > MAX_INT_BITS or b * math.log2(abs(a)) > MAX_INT_BITS):
        raise EvalFailure(f"result of '**' would exceed {MAX_INT_BITS} bits")
    if a == 0 and b < 0:
        raise EvalFailure("division by zero")
    try:
        result = a**b
    except OverflowError:
        raise EvalFailure("numeric overflow in '**'") from None
    if type(result) is complex:
        raise EvalFailure("'**' result is not a real number")
    return result


# -- comparison --------------------------------------------------------------------------
def order(op: str, a: Any, b: Any) -> bool:
    """Ordering comparison for compatible types; raises :class:`Unsupported` otherwise."""
    ta, tb = type(a), type(b)
    if (ta in NUMBERS and tb in NUMBERS) or (ta is tb and ta in _ORDERABLE):
        try:
            return bool(_PY_OPS[op](a, b))
        except TypeError:
            pass
    raise unsupported(op, a, b)


def _plain_ordering(op: str) -> BinaryOp:
    fn = _PY_OPS[op]

    def compare(a: Any, b: Any) -> Any:
        if type(a) in NUMBERS and type(b) in NUMBERS:
            return fn(a, b)
        return order(op, a, b)

    return compare


def plain_in(a: Any, b: Any) -> bool:
    tb = type(b)
    if tb is str:
        if type(a) is not str:
            raise unsupported("in", a, b)
        return a in b
    if tb in (list, tuple):
        return a in b
    if tb is dict or isinstance(b, Mapping):
        try:
            return a in b
        except TypeError:
            return False
    raise EvalFailure(f"'in' not supported for {type_name(b)}")


def plain_is(a: Any, b: Any) -> bool:
    if a is None or b is None or type(a) is bool or type(b) is bool:
        return a is b
    return bool(a == b)


def plain_truth(value: Any) -> bool:
    """Python truthiness for JSON-like values (other objects count as true)."""
    if value is None or type(value) in (bool, int, float, str, list, dict, tuple):
        return bool(value)
    return True


def plain_mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb in (str, list):
        a, b, ta, tb = b, a, tb, ta
    if tb is int and ta in (str, list):
        # the deep size: repeating a list of shared lists multiplies all of them
        check_size((len(a) if ta is str else weight(a)) * max(b, 0))
        return a * b
    return mul(a, b)


def negate(value: Any) -> Any:
    if type(value) in NUMBERS or type(value) is timedelta:
        return -value
    raise Unsupported(f"unary '-' not supported for {type_name(value)}")


def is_empty(value: Any) -> bool:
    """JUEL ``empty``: null, empty string, list or mapping."""
    if value is None:
        return True
    if isinstance(value, str | list | dict | tuple | Mapping):
        return len(value) == 0
    return False


PLAIN_OPS: dict[str, BinaryOp] = {
    "+": add,
    "-": sub,
    "*": plain_mul,
    "/": truediv,
    "//": floordiv,
    "%": mod,
    "**": power,
    "==": operator.eq,
    "!=": operator.ne,
    "in": plain_in,
    "not in": lambda a, b: not plain_in(a, b),
    "is": plain_is,
    "is not": lambda a, b: not plain_is(a, b),
    **{op: _plain_ordering(op) for op in ("<", ">", "<=", ">=")},
}
