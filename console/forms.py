"""Forms of the console pages."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from console.queries import INSTANCE_STATES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class DeployForm(forms.Form):
    files = MultipleFileField(
        help_text="One or more .bpmn files (with their .dmn and .form files)",
        widget=MultipleFileInput(attrs={"accept": ".bpmn,.xml,.dmn,.form", "multiple": True}),
    )
    name = forms.CharField(
        max_length=255, required=False, help_text="Deployment name (default: the first file)"
    )


class JsonObjectField(forms.CharField):
    """A JSON object typed into a text area (``{}`` when left empty)."""

    def clean(self, value: Any) -> dict[str, Any]:
        text = (super().clean(value) or "").strip()
        if not text:
            return {}
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Expected a JSON object, but {exc}") from exc
        if not isinstance(parsed, dict):
            raise forms.ValidationError('Expected a JSON object such as {"amount": 10}')
        return parsed


class StartForm(forms.Form):
    business_key = forms.CharField(max_length=255, required=False)
    variables = JsonObjectField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InstanceSearchForm(forms.Form):
    definition = forms.CharField(required=False, label="Process key")
    version = forms.IntegerField(required=False, min_value=1)
    state = forms.ChoiceField(
        required=False, choices=[("", "any")] + [(s, s) for s in INSTANCE_STATES]
    )
    business_key = forms.CharField(required=False)
    variable_name = forms.CharField(required=False, label="Variable")
    variable_value = forms.CharField(required=False, label="equals")
    started_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    started_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=1000, required=False)


class VariableForm(forms.Form):
    name = forms.CharField(max_length=255)
    value = forms.CharField(
        help_text='A JSON value: 42, true, "text", [1, 2], {"a": 1}',
        widget=forms.TextInput(),
    )
    reason = forms.CharField(max_length=1000)

    def clean_value(self) -> Any:
        try:
            return json.loads(self.cleaned_data["value"])
        except ValueError as exc:
            raise forms.ValidationError(f"Expected a JSON value, but {exc}") from exc


class MoveForm(forms.Form):
    from_node = forms.CharField(max_length=255)
    to_node = forms.CharField(max_length=255)
    reason = forms.CharField(max_length=1000, required=False)
