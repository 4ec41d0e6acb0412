"""Validating a submission against a ``FormSpec``: every value coerced to its field's
type and checked against its constraints, unknown keys refused, readonly fields ignored.
All problems are collected and raised together as one ``FormValidationError``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bpmn_engine.errors import FormSchemaError, FormValidationError
from bpmn_engine.expressions import ExpressionError, evaluate
from bpmn_engine.forms import patterns
from bpmn_engine.forms.coercion import Invalid, coerce, is_empty
from bpmn_engine.forms.formjs import option_of
from bpmn_engine.forms.spec import (
    BOOLEAN,
    FORM_JS,
    INTEGER,
    MULTICHOICE,
    NUMBER,
    TEXT,
    TEXTAREA,
    FieldSpec,
    FormSpec,
    Option,
)

ALL = "__all__"
MAX_SUBMITTED_KEYS = 1_000
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\Z")
_PHONE = re.compile(r"(\+|00)[1-9]\d{5,22}\Z")
MAX_DYNAMIC_OPTIONS = 1_000


def clean_submission(
    spec: FormSpec, values: Any, *, variables: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The submitted ``values`` as typed process variables.

    Only fields present in ``values`` are returned (a field left out keeps its variable);
    a required field must be present and not empty. ``variables`` are the instance's
    current ones (form-js ``valuesKey`` options come from them)."""
    if not isinstance(values, Mapping):
        _fail({ALL: ("Expected the form values as an object of field names to values.",)})
    if len(values) > MAX_SUBMITTED_KEYS:
        _fail({ALL: (f"Expected at most {MAX_SUBMITTED_KEYS} form values.",)})
    errors: dict[str, list[str]] = {}
    known = {f.key: f for f in spec.fields}
    for key in values:
        if key not in known:
            errors.setdefault(_safe_key(key), []).append("This field is not part of the form.")
    result: dict[str, Any] = {}
    for field in spec.editable:
        present = field.key in values
        value = values.get(field.key) if present else None
        try:
            typed = _clean_field(field, value, variables or {})
        except Invalid as exc:
            errors.setdefault(field.key, []).append(str(exc))
            continue
        if _is_missing(field, typed, spec.source) and field.required and not field.conditional:
            errors.setdefault(field.key, []).append("This field is required.")
        elif present:
            result[field.key] = typed
    if errors:
        _fail({key: tuple(messages) for key, messages in errors.items()})
    return result


def _safe_key(key: Any) -> str:
    text = key if isinstance(key, str) else repr(key)
    return text[:100]


def _fail(errors: dict[str, tuple[str, ...]]) -> None:
    summary = "; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items())
    raise FormValidationError(
        f"Expected form values that fit the form, but {summary[:2000]}", errors
    )


def _is_missing(field: FieldSpec, typed: Any, source: str) -> bool:
    if typed is None or typed == [] or typed == "":
        return True
    # form-js: a required checkbox must be ticked; a generated boolean only answered
    return field.kind == BOOLEAN and source == FORM_JS and typed is False


def _clean_field(field: FieldSpec, value: Any, variables: Mapping[str, Any]) -> Any:
    if is_empty(value):
        return [] if field.kind == MULTICHOICE and value == [] else None
    typed = coerce(field, value, options_for(field, variables))
    _check(field, typed)
    return typed


def options_for(field: FieldSpec, variables: Mapping[str, Any]) -> tuple[Option, ...]:
    """A field's options: its own, or (form-js ``valuesKey``) those of a variable."""
    if field.options_key is None:
        return field.options
    raw = variables.get(field.options_key)
    if not isinstance(raw, list):
        return ()
    found: list[Option] = []
    for item in raw[:MAX_DYNAMIC_OPTIONS]:
        try:
            found.append(option_of({"key": field.key}, item))
        except FormSchemaError:
            continue
    return tuple(found)


def _check(field: FieldSpec, typed: Any) -> None:
    if field.kind in (TEXT, TEXTAREA):
        length = len(typed.strip()) if field.widget in ("textfield", "textarea") else len(typed)
        if field.min_length is not None and length < field.min_length:
            raise Invalid(f"Enter at least {field.min_length} characters.")
        if field.max_length is not None and length > field.max_length:
            raise Invalid(f"Enter at most {field.max_length} characters.")
        if field.pattern is not None and not patterns.matches(field.pattern, typed):
            raise Invalid(field.pattern_message or "Enter a value in the expected format.")
        if field.validation_type == "email" and not _EMAIL.match(typed):
            raise Invalid("Enter a valid email address.")
        if field.validation_type == "phone" and not _PHONE.match(typed.replace(" ", "")):
            raise Invalid("Enter an international phone number, e.g. +4930664040900.")
    if field.kind in (INTEGER, NUMBER):
        if field.minimum is not None and typed < field.minimum:
            raise Invalid(f"Enter {_plain(field.minimum)} or more.")
        if field.maximum is not None and typed > field.maximum:
            raise Invalid(f"Enter {_plain(field.maximum)} or less.")


def _plain(number: Any) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def initial_values(spec: FormSpec, variables: Mapping[str, Any]) -> dict[str, Any]:
    """What each field shows first: the variable of its key when the instance has one,
    else its default, typed like a submission (a ``${...}`` default is evaluated in the
    sandbox first; a default that fails or does not fit shows nothing)."""
    initial: dict[str, Any] = {}
    for field in spec.fields:
        if field.key in variables:
            initial[field.key] = variables[field.key]
            continue
        default = field.default
        if field.default_expression is not None:
            try:
                default = evaluate(field.default_expression, variables)
            except ExpressionError:
                continue
        if default is None:
            continue
        try:
            initial[field.key] = coerce(field, default, options_for(field, variables))
        except Invalid:
            continue
    return initial
