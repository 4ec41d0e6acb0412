"""Context functions and generic ones (``get value``, ``is``, ``not``, ``range``)."""

from __future__ import annotations

from typing import Any, cast

from ..chrono import FeelDateTime, FeelTime
from ..types import Range
from .registry import builtin, need


def _context(value: Any) -> dict[str, Any]:
    need(type(value) is dict)
    return value


@builtin("get value", "m, key")
def get_value(context: Any, key: Any) -> Any:
    need(type(key) is str)
    return _context(context).get(key)


@builtin("get entries", "m")
def get_entries(context: Any) -> Any:
    return [{"key": k, "value": v} for k, v in _context(context).items()]


def _as_list(value: Any) -> list[Any]:
    """A list parameter given one item: the item as a singleton list (DMN 1.5, 10.3.2.9.4)."""
    need(value is not None)
    return value if type(value) is list else [value]


@builtin("context", "entries")
def context(entries: Any) -> Any:
    entries = _as_list(entries)
    out: dict[str, Any] = {}
    for entry in entries:
        need(type(entry) is dict and type(entry.get("key")) is str and "value" in entry)
        need(entry["key"] not in out)
        out[entry["key"]] = entry["value"]
    return out


def _put(context: dict[str, Any], keys: list[str], value: Any) -> dict[str, Any]:
    out = dict(context)
    if len(keys) == 1:
        out[keys[0]] = value
    else:
        inner = out.get(keys[0])
        need(type(inner) is dict)
        out[keys[0]] = _put(cast(dict[str, Any], inner), keys[1:], value)
    return out


@builtin("context put", "context, key, value", "context, keys, value", named_types=(("key", str),))
def context_put(context: Any, key: Any, value: Any) -> Any:
    keys = [key] if type(key) is str else key
    need(type(keys) is list and len(keys) > 0 and all(type(k) is str for k in keys))
    return _put(_context(context), keys, value)


@builtin("context merge", "contexts")
def context_merge(contexts: Any) -> Any:
    contexts = _as_list(contexts)
    out: dict[str, Any] = {}
    for item in contexts:
        out.update(_context(item))
    return out


@builtin("not", "negand")
def not_(value: Any) -> Any:
    return (not value) if type(value) is bool else None


@builtin("is", "value1?, value2?")
def is_(a: Any = None, b: Any = None) -> Any:
    if type(a) is not type(b):
        return False
    if type(a) is FeelTime or type(a) is FeelDateTime:
        return a == b and a.offset() == b.offset()
    from ..values import equal

    return equal(a, b) is True


@builtin("range", "from")
def range_(text: Any) -> Any:
    need(type(text) is str)
    from ..api import evaluate_range_text

    value = evaluate_range_text(text)
    need(type(value) is Range)
    return value
