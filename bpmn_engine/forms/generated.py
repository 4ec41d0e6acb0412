"""Camunda 7 generated forms (``camunda:formData``, Flowable/Activiti ``formProperty``)
as a ``FormSpec``.

Types ``string``, ``long``, ``boolean``, ``date`` and ``enum``; constraints ``required``,
``readonly``, ``minlength``, ``maxlength``, ``min``, ``max`` (and ``pattern``, run on RE2).
A custom type or a ``validator`` constraint (a Java class or expression in Camunda)
cannot be honoured here and is refused rather than silently skipped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from bpmn_engine.bpmn.model import FormField
from bpmn_engine.errors import FormSchemaError
from bpmn_engine.expressions import is_expression
from bpmn_engine.forms import patterns
from bpmn_engine.forms.spec import (
    BOOLEAN,
    CHOICE,
    DATE,
    GENERATED,
    INTEGER,
    TEXT,
    FieldSpec,
    FormSpec,
    Option,
)

KIND_OF_TYPE = {"string": TEXT, "long": INTEGER, "boolean": BOOLEAN, "date": DATE, "enum": CHOICE}
_FLAG_CONSTRAINTS = {"required", "readonly"}
_INT_CONSTRAINTS = {"minlength": "min_length", "maxlength": "max_length"}
_NUMBER_CONSTRAINTS = {"min": "minimum", "max": "maximum"}


def field_dict(field: FormField) -> dict[str, Any]:
    """A JSON-safe copy of a model ``FormField`` (the shape ``UserTask.form_fields`` holds)."""
    return {
        "id": field.id,
        "label": field.label,
        "type": field.type,
        "default_value": field.default_value,
        "enum_values": dict(field.enum_values),
        "constraints": [{"name": c.name, "config": c.config} for c in field.constraints],
        "properties": dict(field.properties),
    }


def generated_form(fields: Iterable[FormField | Mapping[str, Any]]) -> FormSpec:
    """The spec of a generated form from model fields or their JSON copies."""
    specs: list[FieldSpec] = []
    seen: set[str] = set()
    for raw in fields:
        data = field_dict(raw) if isinstance(raw, FormField) else raw
        spec = _field(data)
        if spec.key in seen:
            raise FormSchemaError(f"Expected form field ids to be unique, but {spec.key!r} repeats")
        seen.add(spec.key)
        specs.append(spec)
    return FormSpec(source=GENERATED, fields=tuple(specs))


def _field(data: Mapping[str, Any]) -> FieldSpec:
    key = str(data.get("id") or "")
    if not key:
        raise FormSchemaError("Expected every form field to have an id, but one has none")
    field_type = str(data.get("type") or "string")
    kind = KIND_OF_TYPE.get(field_type)
    if kind is None:
        raise FormSchemaError(
            f"Expected form field {key!r} to have type string, long, boolean, date or enum, "
            f"but it has the custom type {field_type!r}"
        )
    options: dict[str, Any] = {"required": False, "readonly": False}
    for constraint in data.get("constraints") or ():
        _apply_constraint(key, kind, constraint, options)
    properties = dict(data.get("properties") or {})
    default_text = data.get("default_value")
    is_template = isinstance(default_text, str) and is_expression(default_text)
    return FieldSpec(
        key=key,
        label=str(data.get("label") or key),
        kind=kind,
        widget=field_type,
        options=tuple(
            Option(value=value, label=str(label or value))
            for value, label in dict(data.get("enum_values") or {}).items()
        ),
        default=None if is_template else default_text,
        default_expression=default_text if is_template else None,
        date_pattern=properties.get("datePattern") or None,
        **options,
    )


def _apply_constraint(
    key: str, kind: str, constraint: Mapping[str, Any], options: dict[str, Any]
) -> None:
    name = str(constraint.get("name") or "").strip()
    config = constraint.get("config")
    if name in _FLAG_CONSTRAINTS:
        options[name] = True
    elif name in _INT_CONSTRAINTS:
        options[_INT_CONSTRAINTS[name]] = _config_int(key, name, config)
    elif name in _NUMBER_CONSTRAINTS:
        if kind != INTEGER:
            raise FormSchemaError(
                f"Expected constraint {name!r} on a long field, but form field {key!r} is {kind}"
            )
        options[_NUMBER_CONSTRAINTS[name]] = _config_number(key, name, config)
    elif name == "pattern" and isinstance(config, str):
        patterns.compiled(config)
        options["pattern"] = config
    else:
        raise FormSchemaError(
            f"Expected constraints required, readonly, minlength, maxlength, min, max or "
            f"pattern, but form field {key!r} has {name!r}, which Procession cannot check"
        )


def _config_int(key: str, name: str, config: Any) -> int:
    try:
        value = int(str(config).strip())
    except ValueError:
        raise FormSchemaError(
            f"Expected a whole number for {name} of form field {key!r}, but got {config!r}"
        ) from None
    if value < 0:
        raise FormSchemaError(f"Expected {name} of form field {key!r} to be 0 or more")
    return value


def _config_number(key: str, name: str, config: Any) -> Decimal:
    try:
        value = Decimal(str(config).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise FormSchemaError(
            f"Expected a number for {name} of form field {key!r}, but got {config!r}"
        )
    return value
