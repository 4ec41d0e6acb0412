"""Django forms built from a form spec (``bpmn_engine.forms``), and what the form partial
``templates/tasklist/_form.html`` needs.

The Django form only renders and collects text: every value is validated and coerced by
the same pure validator the services run again (``clean_submission``), so a form page, the
API and the form-js viewer's submissions follow one set of rules. Readonly fields are
rendered disabled and never read from the request. A form-js form is rendered by the
viewer in the browser, which posts its data as JSON in ``form_js_values``; without
JavaScript the same form is filled in through the Django form built from its schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict

from bpmn_engine.errors import FormValidationError
from bpmn_engine.forms import FieldSpec, FormSpec, clean_submission
from bpmn_engine.forms import spec as kinds
from bpmn_engine.services.task_forms import ResolvedForm

FORM_JS_FIELD = "form_js_values"
PREFIX = "f"
MAX_FORM_JS_BYTES = 1 << 20


class _OpenChoice(forms.ChoiceField):
    """Membership is checked by the pure validator (with its friendly message)."""

    def valid_value(self, value: Any) -> bool:
        return True


class _OpenMultipleChoice(forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return True


_INPUT_TYPES = {kinds.DATE: "date", kinds.DATETIME: "datetime-local", kinds.TIME: "time"}


def _attrs(spec: FieldSpec) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if spec.required and not spec.conditional and spec.kind != kinds.BOOLEAN:
        attrs["required"] = True
    if spec.kind in (kinds.TEXT, kinds.TEXTAREA):
        if spec.max_length is not None:
            attrs["maxlength"] = spec.max_length
        if spec.min_length is not None:
            attrs["minlength"] = spec.min_length
    if spec.kind in (kinds.INTEGER, kinds.NUMBER):
        if spec.minimum is not None:
            attrs["min"] = str(spec.minimum)
        if spec.maximum is not None:
            attrs["max"] = str(spec.maximum)
        digits = spec.decimal_digits
        attrs["step"] = "1" if spec.kind == kinds.INTEGER else _step(digits)
    return attrs


def _step(digits: int | None) -> str:
    if digits is None:
        return "any"
    return "1" if digits == 0 else "0." + "0" * (digits - 1) + "1"


def _initial(spec: FieldSpec, value: Any) -> Any:
    if spec.kind == kinds.DATETIME and isinstance(value, str):
        return value[:16]  # datetime-local shows minutes
    if spec.kind == kinds.MULTICHOICE and isinstance(value, list):
        return [str(v) for v in value]
    if spec.kind == kinds.CHOICE and value is not None:
        return str(value)
    return value


def django_field(spec: FieldSpec, options: tuple[Any, ...]) -> forms.Field:
    """The Django field that renders and collects ``spec`` (no validation of its own)."""
    common: dict[str, Any] = {
        "label": spec.label,
        "required": False,
        "disabled": spec.readonly,
        "help_text": spec.description,  # the partial renders it escaped
    }
    attrs = _attrs(spec)
    kind = spec.kind
    if kind == kinds.BOOLEAN:
        return forms.BooleanField(**common)
    choices = [(str(o.value), o.label) for o in options]
    if kind == kinds.CHOICE:
        if spec.widget == "radio":
            return _OpenChoice(choices=choices, widget=forms.RadioSelect, **common)
        return _OpenChoice(
            choices=[("", "—"), *choices], widget=forms.Select(attrs=attrs), **common
        )
    if kind == kinds.MULTICHOICE:
        widget = forms.CheckboxSelectMultiple if spec.widget != "taglist" else forms.SelectMultiple
        return _OpenMultipleChoice(choices=choices, widget=widget, **common)
    if kind == kinds.TEXTAREA:
        widget: forms.Widget = forms.Textarea(attrs={"rows": 4, **attrs})
    elif kind in (kinds.INTEGER, kinds.NUMBER):
        widget = forms.NumberInput(attrs=attrs)
    elif kind in _INPUT_TYPES:
        widget = forms.TextInput(attrs={"type": _INPUT_TYPES[kind], **attrs})
    else:
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(strip=False, widget=widget, **common)


class SpecForm(forms.Form):
    """A form built from a ``FormSpec``; after ``is_valid()`` ``variables`` holds the
    typed values (exactly what ``clean_submission`` returned)."""

    def __init__(
        self,
        spec: FormSpec,
        *,
        options: dict[str, tuple[Any, ...]] | None = None,
        variables: dict[str, Any] | None = None,
        initial: dict[str, Any] | None = None,
        data: QueryDict | None = None,
        validate: bool = True,
    ) -> None:
        self.spec = spec
        self.validate = validate
        self.form_variables = variables or {}
        self.variables: dict[str, Any] = {}
        shown = {f.key: _initial(f, v) for f, v in _pairs(spec, initial or {})}
        super().__init__(data=data, initial=shown, prefix=PREFIX)
        for field in spec.fields:
            self.fields[field.key] = django_field(field, (options or {}).get(field.key, ()))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.validate:
            return cleaned
        values = {f.key: cleaned.get(f.key) for f in self.spec.editable}
        try:
            self.variables = clean_submission(self.spec, values, variables=self.form_variables)
        except FormValidationError as refused:
            add_errors(self, refused)
        return cleaned


def _pairs(spec: FormSpec, initial: dict[str, Any]) -> list[tuple[FieldSpec, Any]]:
    return [(f, initial[f.key]) for f in spec.fields if f.key in initial]


def add_errors(form: forms.Form, refused: FormValidationError) -> None:
    """Each field's messages on its field (others, e.g. unknown keys, on the form)."""
    for key, messages in refused.field_errors.items():
        for message in messages:
            form.add_error(key if key in form.fields else None, message)


@dataclass
class FormView:
    """The context of ``templates/tasklist/_form.html`` (see its docstring)."""

    resolved: ResolvedForm
    action: str
    submit_label: str
    django_form: SpecForm | None = None
    extra_form: forms.Form | None = None
    form_errors: tuple[str, ...] = ()
    submit_id: str = "submit-form-button"

    @property
    def kind(self) -> str:
        return self.resolved.kind

    @property
    def schema(self) -> dict[str, Any] | None:
        return self.resolved.spec.schema if self.resolved.spec is not None else None


def form_view(
    resolved: ResolvedForm,
    *,
    action: str,
    submit_label: str,
    data: QueryDict | None = None,
    refused: FormValidationError | None = None,
    extra_form: forms.Form | None = None,
) -> FormView:
    """The partial's context for ``resolved``. After a refused submission pass the posted
    ``data`` and the error: the fields show what was entered with their messages, and a
    summary lists every message (also for the form-js viewer)."""
    django_form = None
    if resolved.spec is not None:
        rebind = data is not None and refused is not None and not data.get(FORM_JS_FIELD)
        django_form = SpecForm(
            resolved.spec,
            options=resolved.options,
            variables=resolved.variables,
            initial=resolved.initial,
            data=data if rebind else None,
        )
        if rebind:
            django_form.full_clean()
    summary: tuple[str, ...] = ()
    if refused is not None:
        summary = tuple(
            _summary(resolved, key, message)
            for key, messages in refused.field_errors.items()
            for message in messages
        )
    return FormView(
        resolved=resolved,
        action=action,
        submit_label=submit_label,
        django_form=django_form,
        extra_form=extra_form,
        form_errors=summary,
    )


def _summary(resolved: ResolvedForm, key: str, message: str) -> str:
    field = resolved.spec.field(key) if resolved.spec is not None else None
    if field is not None:
        return f"{field.label}: {message}"
    return message if key == "__all__" else f"{key}: {message}"


def submitted_values(resolved: ResolvedForm, post: QueryDict) -> dict[str, Any] | Any:
    """The values a form page posted, not yet validated: the form-js viewer's JSON
    (``form_js_values``) or the Django form's fields (readonly ones left out). Services
    validate them (``submit_task_form`` / ``submit_start_form``)."""
    spec = resolved.spec
    if spec is None:
        return {}
    raw = post.get(FORM_JS_FIELD)
    if spec.source == kinds.FORM_JS and raw:
        if len(raw) > MAX_FORM_JS_BYTES:
            raise FormValidationError(
                "Expected form values of at most 1 MiB",
                {"__all__": ("The form values are too large.",)},
            )
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise FormValidationError(
                "Expected the form-js values as JSON",
                {"__all__": ("The form could not be read; please try again.",)},
            ) from None
        if isinstance(data, dict):  # readonly fields and the option lists we gave it
            given = {f.options_key for f in spec.fields if f.options_key}
            return {k: v for k, v in data.items() if not _readonly(spec, k) and k not in given}
        return data
    form = SpecForm(spec, options=resolved.options, data=post, validate=False)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    return {f.key: cleaned.get(f.key) for f in spec.editable}


def _readonly(spec: FormSpec, key: str) -> bool:
    field = spec.field(key)
    return field is not None and field.readonly
