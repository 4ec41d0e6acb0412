"""The field spec every form becomes, whatever described it (``camunda:formData`` or a
form-js schema): one list of typed fields with their constraints. Renderers (Django
forms, the form-js viewer's fallback) and the validator read only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Kinds of value a field produces (the validator coerces to these).
TEXT = "text"  # str
TEXTAREA = "textarea"  # str, several lines
INTEGER = "integer"  # int, signed 64-bit (Camunda's long)
NUMBER = "number"  # int or float
BOOLEAN = "boolean"  # bool
DATE = "date"  # ISO 8601 date text, 2026-03-02
TIME = "time"  # ISO 8601 time text, 09:30 or 09:30:00+01:00
DATETIME = "datetime"  # ISO 8601 date-time text, 2026-03-02T09:30:00
CHOICE = "choice"  # one of the options' values
MULTICHOICE = "multichoice"  # a list of distinct options' values
KINDS = frozenset(
    {TEXT, TEXTAREA, INTEGER, NUMBER, BOOLEAN, DATE, TIME, DATETIME, CHOICE, MULTICHOICE}
)

GENERATED = "generated"  # Camunda 7 camunda:formData
FORM_JS = "form-js"  # Camunda Forms (form-js JSON)

MAX_TEXT_LENGTH = 10_000
"""Longest single-line text a field accepts when the form sets no ``maxlength``."""
MAX_TEXTAREA_LENGTH = 100_000
"""Longest multi-line text a field accepts when the form sets no ``maxLength``."""


@dataclass(frozen=True)
class Option:
    """One value of an enum, select, radio, checklist or taglist field."""

    value: Any
    label: str


@dataclass(frozen=True, kw_only=True)
class FieldSpec:
    """One input field. ``readonly`` fields are shown, never taken from a submission;
    ``conditional`` marks a form-js field that a hide condition may remove (the server
    cannot evaluate it, so ``required`` is not enforced for it)."""

    key: str
    label: str
    kind: str
    widget: str  # the describing tool's own type: string, long, textfield, select, ...
    required: bool = False
    readonly: bool = False
    conditional: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    validation_type: str | None = None  # email or phone (form-js)
    decimal_digits: int | None = None
    options: tuple[Option, ...] = ()
    options_key: str | None = None  # form-js valuesKey: options come from a variable
    default: Any = None
    default_expression: str | None = None  # ${...} default of a generated form
    date_pattern: str | None = None
    description: str = ""

    @property
    def text_limit(self) -> int:
        """The longest text read at all (``max_length`` is checked after): the global cap,
        or the field's own ``max_length`` where the form allows more."""
        cap = MAX_TEXTAREA_LENGTH if self.kind == TEXTAREA else MAX_TEXT_LENGTH
        return max(cap, self.max_length or 0)


@dataclass(frozen=True, kw_only=True)
class FormSpec:
    """A whole form: its fields in display order, where it came from, and for form-js
    the schema the browser viewer renders."""

    source: str
    fields: tuple[FieldSpec, ...] = ()
    schema: dict[str, Any] | None = field(default=None, compare=False)
    form_id: str = ""

    def field(self, key: str) -> FieldSpec | None:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        return None

    @property
    def editable(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if not f.readonly)
