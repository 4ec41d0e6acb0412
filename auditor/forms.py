"""The auditor's filter form (query string), turned into an ``AuditFilter``."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone

from bpmn_engine.models.instances import InstanceStatus
from bpmn_engine.selectors.audit import AuditFilter


class AuditFilterForm(forms.Form):
    definition = forms.CharField(required=False, max_length=255, label="Definition key")
    started_from = forms.DateField(required=False, label="Started from")
    started_to = forms.DateField(required=False, label="Started before")
    business_key = forms.CharField(required=False, max_length=255)
    user = forms.CharField(required=False, max_length=150, label="User")
    state = forms.ChoiceField(required=False, choices=[("", "any"), *list(InstanceStatus.choices)])

    def audit_filter(self) -> AuditFilter:
        """The filter of a valid form (an invalid one filters nothing out)."""
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilter(
            definition_key=data.get("definition") or "",
            started_from=_day(data.get("started_from")),
            started_to=_day(data.get("started_to")),
            business_key=data.get("business_key") or "",
            user=data.get("user") or "",
            state=data.get("state") or "",
        )


def _day(value: object) -> datetime | None:
    if value is None:
        return None
    return timezone.make_aware(datetime.combine(value, time.min))  # type: ignore[arg-type]
