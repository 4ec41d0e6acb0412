"""Camunda typed variables (``{"value", "type", "valueInfo"}``) to and from plain values."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rest_framework.exceptions import ValidationError

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
JSON_TYPES = {"json", "object"}


def camunda_date(moment: datetime | None) -> str | None:
    """``2013-01-23T13:59:43.000+0200``: milliseconds and an offset without a colon."""
    if moment is None:
        return None
    return (
        moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}"
        + (moment.strftime("%z") or "+0000")
    )


def infer_type(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer" if INT_MIN <= value <= INT_MAX else "Long"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, dict | list):
        return "Json"
    return "String"


def typed(value: Any) -> dict[str, Any]:
    kind = infer_type(value)
    if kind == "Json":
        return {"type": "Json", "value": json.dumps(value), "valueInfo": {}}
    return {"type": kind, "value": value, "valueInfo": {}}


def to_typed(variables: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: typed(value) for name, value in variables.items()}


def from_typed_value(name: str, raw: Any) -> Any:
    """One Camunda variable to a plain value; a missing ``type`` means: infer."""
    if not isinstance(raw, dict) or ("value" not in raw and "type" not in raw):
        raise ValidationError({name: ["Expected a typed value object {value, type}"]})
    value = raw.get("value")
    kind = str(raw.get("type") or "").lower()
    info = raw.get("valueInfo") or {}
    if kind in JSON_TYPES and isinstance(value, str):
        data_format = str(info.get("serializationDataFormat", "application/json"))
        if kind == "json" or "json" in data_format:
            try:
                return json.loads(value)
            except ValueError as exc:
                raise ValidationError({name: [f"Expected JSON text: {exc}"]}) from exc
    if kind in ("integer", "long", "short") and value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError({name: [f"Expected an integer for type {raw.get('type')}"]})
        try:
            return int(value)
        except ValueError as exc:
            raise ValidationError({name: ["Expected an integer"]}) from exc
    if kind == "double" and value is not None:
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError({name: ["Expected a number"]}) from exc
    if kind == "boolean" and isinstance(value, str):
        return value.lower() == "true"
    if kind == "null":
        return None
    return value


def from_typed(variables: Any) -> dict[str, Any]:
    if variables in (None, ""):
        return {}
    if not isinstance(variables, dict):
        raise ValidationError({"variables": ["Expected an object of typed values"]})
    return {str(name): from_typed_value(str(name), raw) for name, raw in variables.items()}
