"""``instance of`` and type conformance for FEEL type specifications."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .types import Function, Range
from .values import type_of

_ALIASES = {"dayTimeDuration": "days and time duration", "yearMonthDuration":
            "years and months duration", "dateTime": "date and time"}  # fmt: skip


def instance_of(value: Any, spec: Any, types: Mapping[str, Any] | None = None) -> bool:
    """Whether ``value`` is an instance of the type ``spec`` (see the parser's type_spec)."""
    kind = spec[0]
    if kind == "name":
        name = _ALIASES.get(spec[1], spec[1])
        if name == "Any":
            return value is not None
        if name == "Null":
            return value is None
        if types is not None and name in types:
            return bool(types[name](value))
        return value is not None and type_of(value) == name
    if kind == "list":
        return type(value) is list and all(
            item is None or instance_of(item, spec[1], types) for item in value
        )
    if kind == "range":
        return type(value) is Range and all(
            end is None or instance_of(end, spec[1], types) for end in (value.start, value.end)
        )
    if kind == "context":
        return type(value) is dict and all(
            key in value and (value[key] is None or instance_of(value[key], sub, types))
            for key, sub in spec[1]
        )
    if kind == "function":
        return type(value) is Function
    return False
