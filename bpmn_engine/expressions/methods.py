"""Whitelisted methods on strings, lists and mappings (Java/JUEL and Python spellings).

``value.name(args)`` never calls a Python attribute: the name is looked up in these tables
by the value's type, so ``'x'.format(...)`` or ``d.__class__`` simply do not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from .dialects import to_text
from .errors import EvalFailure
from .functions import want
from .limits import check_size
from .values import type_name

Method = tuple[Callable[..., Any], int, int]


def _str(value: Any, name: str) -> str:
    return want(value, str, name, "a string")


def _int(value: Any, name: str) -> int:
    return want(value, int, name, "an integer")


def _replace(text: str, old: Any, new: Any) -> str:
    old, new = _str(old, "replace"), _str(new, "replace")
    count = text.count(old) if old else len(text) + 1
    check_size(len(text) + count * (len(new) - len(old)))
    return text.replace(old, new)


def _split(text: str, sep: Any = None) -> list[str]:
    if sep is None:
        return text.split()
    if not _str(sep, "split"):
        raise EvalFailure("split() separator must not be empty")
    return text.split(sep)


def _substring(text: str, begin: Any, end: Any = None) -> str:
    return text[_int(begin, "substring") : None if end is None else _int(end, "substring")]


def _concat(text: str, other: Any) -> str:
    check_size(len(text) + len(_str(other, "concat")))
    return text + other


def _char_at(text: str, index: Any) -> str:
    index = _int(index, "charAt")
    if not 0 <= index < len(text):
        raise EvalFailure(f"charAt() index {index} out of range")
    return text[index]


def _list_get(items: list, index: Any) -> Any:
    index = _int(index, "get")
    if not -len(items) <= index < len(items):
        raise EvalFailure(f"list index {index} out of range")
    return items[index]


def _index(items: list, item: Any) -> int:
    try:
        return items.index(item)
    except ValueError:
        return -1


def _contains_key(mapping: Mapping, key: Any) -> bool:
    try:
        return key in mapping
    except TypeError:
        return False


def _get(mapping: Mapping, key: Any, default: Any = None) -> Any:
    try:
        return mapping[key] if key in mapping else default  # noqa: SIM401
    except TypeError:
        return default


STRING_METHODS: dict[str, Method] = {
    "length": (len, 0, 0),
    "size": (len, 0, 0),
    "isEmpty": (lambda s: not s, 0, 0),
    "isBlank": (lambda s: not s.strip(), 0, 0),
    "trim": (str.strip, 0, 0),
    "strip": (str.strip, 0, 0),
    "lstrip": (str.lstrip, 0, 0),
    "rstrip": (str.rstrip, 0, 0),
    "toUpperCase": (str.upper, 0, 0),
    "upper": (str.upper, 0, 0),
    "toLowerCase": (str.lower, 0, 0),
    "lower": (str.lower, 0, 0),
    "startsWith": (lambda s, x: s.startswith(_str(x, "startsWith")), 1, 1),
    "startswith": (lambda s, x: s.startswith(_str(x, "startswith")), 1, 1),
    "endsWith": (lambda s, x: s.endswith(_str(x, "endsWith")), 1, 1),
    "endswith": (lambda s, x: s.endswith(_str(x, "endswith")), 1, 1),
    "contains": (lambda s, x: _str(x, "contains") in s, 1, 1),
    "equalsIgnoreCase": (lambda s, x: type(x) is str and s.lower() == x.lower(), 1, 1),
    "indexOf": (lambda s, x: s.find(_str(x, "indexOf")), 1, 1),
    "lastIndexOf": (lambda s, x: s.rfind(_str(x, "lastIndexOf")), 1, 1),
    "find": (lambda s, x: s.find(_str(x, "find")), 1, 1),
    "count": (lambda s, x: s.count(_str(x, "count")), 1, 1),
    "replace": (_replace, 2, 2),
    "split": (_split, 0, 1),
    "substring": (_substring, 1, 2),
    "concat": (_concat, 1, 1),
    "charAt": (_char_at, 1, 1),
    "isdigit": (str.isdigit, 0, 0),
    "isnumeric": (str.isnumeric, 0, 0),
}
LIST_METHODS: dict[str, Method] = {
    "size": (len, 0, 0),
    "length": (len, 0, 0),
    "isEmpty": (lambda v: not v, 0, 0),
    "contains": (lambda v, x: x in v, 1, 1),
    "get": (_list_get, 1, 1),
    "indexOf": (_index, 1, 1),
    "count": (lambda v, x: v.count(x), 1, 1),
}
MAPPING_METHODS: dict[str, Method] = {
    "containsKey": (_contains_key, 1, 1),
    "containsValue": (lambda m, x: x in m.values(), 1, 1),
    "get": (_get, 1, 2),
    "keys": (lambda m: list(m.keys()), 0, 0),
    "values": (lambda m: list(m.values()), 0, 0),
    "items": (lambda m: [[k, v] for k, v in m.items()], 0, 0),
    "size": (len, 0, 0),
    "isEmpty": (lambda m: not m, 0, 0),
}
ANY_METHODS: dict[str, Method] = {
    "equals": (lambda a, b: type(a) is type(b) and a == b, 1, 1),
    "toString": (to_text, 0, 0),
}


def _plus(unit: str) -> Method:
    def shift(value: datetime, amount: Any) -> datetime:
        return value + timedelta(**{unit: _int(amount, "plus" + unit.capitalize())})

    return (shift, 1, 1)


DATETIME_METHODS: dict[str, Method] = {
    # Joda-Time as Camunda 7 exposes it (``dateTime().plusWeeks(1).toDate()``)
    "plusWeeks": _plus("weeks"),
    "plusDays": _plus("days"),
    "plusHours": _plus("hours"),
    "plusMinutes": _plus("minutes"),
    "toDate": (lambda v: v, 0, 0),
}
METHOD_NAMES = (
    frozenset(STRING_METHODS)
    | frozenset(LIST_METHODS)
    | frozenset(MAPPING_METHODS)
    | frozenset(ANY_METHODS)
    | frozenset(DATETIME_METHODS)
)


def _table(value: Any) -> dict[str, Method]:
    kind = type(value)
    if kind is str:
        return STRING_METHODS
    if kind is list or kind is tuple:
        return LIST_METHODS
    if kind is dict or isinstance(value, Mapping):
        return MAPPING_METHODS
    if kind is datetime:
        return DATETIME_METHODS
    return ANY_METHODS


def call_method(value: Any, name: str, args: list[Any]) -> Any:
    """Call whitelisted method ``name`` of ``value``."""
    if value is None:
        raise EvalFailure(f"cannot call '{name}()' on null")
    entry = _table(value).get(name) or ANY_METHODS.get(name)
    if entry is None:
        raise EvalFailure(f"unknown method '{name}' for {type_name(value)}")
    fn, low, high = entry
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise EvalFailure(f"{name}() takes {expected} argument(s), got {len(args)}")
    return fn(value, *args)
