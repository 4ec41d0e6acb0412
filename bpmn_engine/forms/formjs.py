"""Camunda Forms (form-js JSON) as a ``FormSpec``, and the checks a ``.form`` resource
passes before it is deployed.

Input components: ``textfield``, ``textarea``, ``number``, ``checkbox``, ``checklist``,
``radio``, ``select``, ``taglist``, ``datetime`` (subtypes date, time, datetime), with
``validate`` ``required``, ``min``/``max``, ``minLength``/``maxLength``, ``pattern`` (on
RE2) and ``validationType`` email/phone; ``readonly``/``disabled`` fields are shown and
never taken from a submission; ``expression`` fields are computed in the browser and
ignored too. Layout components (text, html, spacer, separator, image, button, iframe,
table, groups without a ``path``) carry no value. What the server cannot check the same
way as the browser is refused when the form is read: FEEL expressions (``=...``) in
validation, options or readonly flags, dotted keys and group paths (nested data), file
pickers and dynamic lists. A field with a hide condition (``conditional.hide``) keeps its
type checks, but ``required`` is not enforced for it (the server does not evaluate FEEL).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from bpmn_engine.errors import FormSchemaError
from bpmn_engine.forms import patterns
from bpmn_engine.forms.spec import (
    BOOLEAN,
    CHOICE,
    DATE,
    DATETIME,
    FORM_JS,
    MULTICHOICE,
    NUMBER,
    TEXT,
    TEXTAREA,
    TIME,
    FieldSpec,
    FormSpec,
    Option,
)

MAX_FORM_BYTES = 1 << 20
"""Largest form-js JSON document accepted (1 MiB)."""
MAX_COMPONENTS = 500
MAX_NESTING = 8
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}\Z")
INPUT_KINDS = {
    "textfield": TEXT,
    "textarea": TEXTAREA,
    "number": NUMBER,
    "checkbox": BOOLEAN,
    "checklist": MULTICHOICE,
    "taglist": MULTICHOICE,
    "radio": CHOICE,
    "select": CHOICE,
    "datetime": DATE,
}
DATETIME_KINDS = {"date": DATE, "time": TIME, "datetime": DATETIME}
LAYOUT_TYPES = frozenset(
    {"text", "html", "spacer", "separator", "image", "button", "iframe", "table"}
)
_NUMERIC_CHECKS = (("min", "minimum"), ("max", "maximum"))
_LENGTH_CHECKS = (("minLength", "min_length"), ("maxLength", "max_length"))


def parse_form_json(content: bytes | str) -> dict[str, Any]:
    """A ``.form`` resource as a form-js schema, checked (``FormSchemaError`` if not)."""
    if len(content) > MAX_FORM_BYTES:
        raise FormSchemaError(
            f"Expected a form of at most {MAX_FORM_BYTES} bytes, but got {len(content)}"
        )
    try:
        schema = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise FormSchemaError(f"Expected form-js JSON, but the form is not JSON: {exc}") from None
    form_js_form(schema)
    return schema


def form_id(schema: Mapping[str, Any]) -> str:
    """The ``id`` a ``camunda:formRef`` / ``zeebe:formDefinition formId`` names."""
    value = schema.get("id")
    return value if isinstance(value, str) else ""


def form_js_form(schema: Any) -> FormSpec:
    """The spec of a form-js schema (``FormSchemaError`` for what it cannot check)."""
    if not isinstance(schema, dict):
        raise FormSchemaError("Expected a form-js schema (a JSON object), but got something else")
    components = schema.get("components")
    if not isinstance(components, list):
        raise FormSchemaError("Expected a form-js schema with a 'components' list, but it has none")
    fields: list[FieldSpec] = []
    _walk(components, fields, depth=0, count=[0])
    keys = [f.key for f in fields]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise FormSchemaError(f"Expected unique field keys, but {', '.join(repeated)} repeat")
    return FormSpec(source=FORM_JS, fields=tuple(fields), schema=schema, form_id=form_id(schema))


def _walk(components: list[Any], fields: list[FieldSpec], *, depth: int, count: list[int]) -> None:
    if depth > MAX_NESTING:
        raise FormSchemaError(f"Expected groups nested at most {MAX_NESTING} deep")
    for component in components:
        count[0] += 1
        if count[0] > MAX_COMPONENTS:
            raise FormSchemaError(f"Expected at most {MAX_COMPONENTS} form components")
        if not isinstance(component, dict) or not isinstance(component.get("type"), str):
            raise FormSchemaError("Expected every form component to be an object with a type")
        kind = component["type"]
        if kind in LAYOUT_TYPES:
            continue
        if kind == "group":
            if component.get("path"):
                raise FormSchemaError(_unsupported(component, "a group with a path (nested data)"))
            _walk(component.get("components") or [], fields, depth=depth + 1, count=count)
        elif kind == "expression":
            fields.append(_field(component, TEXT, readonly=True))
        elif kind in INPUT_KINDS:
            fields.append(_input(component))
        else:
            raise FormSchemaError(_unsupported(component, f"the component type {kind!r}"))


def _unsupported(component: Mapping[str, Any], what: str) -> str:
    name = component.get("key") or component.get("id") or component.get("type")
    return f"Expected form components Procession can check, but {name!r} is {what}"


def _input(component: dict[str, Any]) -> FieldSpec:
    kind = INPUT_KINDS[component["type"]]
    if component["type"] == "datetime":
        subtype = component.get("subtype") or "date"
        if subtype not in DATETIME_KINDS:
            raise FormSchemaError(_unsupported(component, f"a datetime of subtype {subtype!r}"))
        kind = DATETIME_KINDS[subtype]
    readonly = False
    for flag in ("readonly", "disabled"):
        value = component.get(flag, False)
        if not isinstance(value, bool):
            raise FormSchemaError(_unsupported(component, f"{flag} by an expression"))
        readonly = readonly or value
    return _field(component, kind, readonly=readonly)


def _field(component: dict[str, Any], kind: str, *, readonly: bool) -> FieldSpec:
    key = component.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise FormSchemaError(
            _unsupported(component, "keyed by something other than a plain name (nested data)")
        )
    options, options_key = _options(component)
    conditional = component.get("conditional")
    return FieldSpec(
        key=key,
        label=_label(component, key),
        kind=kind,
        widget=component["type"],
        readonly=readonly,
        conditional=bool(isinstance(conditional, dict) and conditional.get("hide")),
        options=options,
        options_key=options_key,
        default=component.get("defaultValue"),
        decimal_digits=_count(component, "decimalDigits", component.get("decimalDigits")),
        description=str(component.get("description") or ""),
        **_validation(component),
    )


def _label(component: Mapping[str, Any], key: str) -> str:
    for name in ("label", "dateLabel", "timeLabel"):
        value = component.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return key


def _options(component: Mapping[str, Any]) -> tuple[tuple[Option, ...], str | None]:
    if component["type"] not in ("checklist", "taglist", "radio", "select"):
        return (), None
    if component.get("valuesExpression"):
        raise FormSchemaError(_unsupported(component, "given its options by an expression"))
    values_key = component.get("valuesKey")
    if values_key:
        if not isinstance(values_key, str) or not KEY.match(values_key):
            raise FormSchemaError(_unsupported(component, "given options from a nested key"))
        return (), values_key
    values = component.get("values")
    if not isinstance(values, list):
        raise FormSchemaError(_unsupported(component, "a choice without 'values'"))
    return tuple(option_of(component, v) for v in values), None


def option_of(component: Mapping[str, Any], value: Any) -> Option:
    """One option from ``{"label", "value"}`` (or a bare value, as a ``valuesKey`` list
    may hold)."""
    if isinstance(value, dict) and "value" in value:
        raw, label = value["value"], value.get("label")
    else:
        raw, label = value, None
    if not isinstance(raw, str | int | float | bool) or (isinstance(raw, float) and raw != raw):
        raise FormSchemaError(_unsupported(component, "given an option that is not plain text"))
    return Option(value=raw, label=str(label if label not in (None, "") else raw))


def _validation(component: Mapping[str, Any]) -> dict[str, Any]:
    validate = component.get("validate") or {}
    if not isinstance(validate, dict):
        raise FormSchemaError(_unsupported(component, "validated by something not an object"))
    for name, value in validate.items():
        if isinstance(value, str) and value.lstrip().startswith("="):
            raise FormSchemaError(_unsupported(component, f"validated by a FEEL {name}"))
    result: dict[str, Any] = {"required": validate.get("required") is True}
    for source, target in _NUMERIC_CHECKS:
        if validate.get(source) not in (None, ""):
            result[target] = _decimal(component, source, validate[source])
    for source, target in _LENGTH_CHECKS:
        if validate.get(source) not in (None, ""):
            result[target] = _count(component, source, validate[source])
    validation_type = validate.get("validationType")
    if validation_type in ("email", "phone"):
        result["validation_type"] = validation_type
    pattern = validate.get("pattern")
    if pattern not in (None, ""):
        if not isinstance(pattern, str):
            raise FormSchemaError(_unsupported(component, "given a pattern that is not text"))
        patterns.compiled(pattern)
        result["pattern"] = pattern
        message = validate.get("patternErrorMessage")
        result["pattern_message"] = message if isinstance(message, str) and message else None
    return result


def _decimal(component: Mapping[str, Any], name: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise FormSchemaError(_unsupported(component, f"given a {name} that is not a number"))
    return number


def _count(component: Mapping[str, Any], name: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FormSchemaError(_unsupported(component, f"given a {name} that is not a count"))
    try:
        number = int(value)
    except ValueError:
        raise FormSchemaError(
            _unsupported(component, f"given a {name} that is not a count")
        ) from None
    if number < 0:
        raise FormSchemaError(_unsupported(component, f"given a negative {name}"))
    return number
