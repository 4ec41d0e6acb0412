"""The inbox's filter and sort form (plain GET parameters, so every page works without
JavaScript and every filtered view has a URL one can bookmark)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from bpmn_engine.selectors.inbox import DEFAULT_SORT, MAX_TEXT, InboxFilter

DUE = [
    ("", "Any due date"),
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("week", "Due this week"),
]
PRIORITY = [
    ("", "Any priority"),
    ("high", "High (above 50)"),
    ("normal", "Normal (50)"),
    ("low", "Low (below 50)"),
]
SORT = [
    ("-created", "Newest first"),
    ("created", "Oldest first"),
    ("due", "Due date"),
    ("-priority", "Highest priority"),
    ("priority", "Lowest priority"),
    ("name", "Name"),
]


@dataclass(frozen=True)
class Control:
    """One filter control as the inbox template writes it: a search box when there are
    no options, otherwise a select whose options carry whether they are chosen."""

    name: str
    id: str
    label: str
    value: str
    error: str
    options: tuple[tuple[str, str, bool], ...] = ()
    max_length: int | None = None
    placeholder: str = ""


class InboxFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=MAX_TEXT, strip=True)
    process = forms.ChoiceField(label="Process", required=False)
    due = forms.ChoiceField(label="Due", required=False, choices=DUE)
    priority = forms.ChoiceField(label="Priority", required=False, choices=PRIORITY)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT)

    def __init__(self, *args, processes: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["process"].choices = [("", "All processes"), *processes]
        self.fields["q"].widget.attrs.update({"placeholder": "Name, business key or value"})

    def inbox_filter(self) -> InboxFilter:
        """The valid part of the submitted filters (an invalid field is ignored, and the
        form shows its error)."""
        if not self.is_bound:
            return InboxFilter()
        self.is_valid()
        data = self.cleaned_data
        return InboxFilter(
            process=data.get("process") or "",
            due=data.get("due") or "",
            priority=data.get("priority") or "",
            text=data.get("q") or "",
            sort=data.get("sort") or DEFAULT_SORT,
        )

    def controls(self) -> list[Control]:
        """The fields as plain values for the template: the inbox writes the five controls
        itself instead of rendering Django's widget templates (one include per option,
        most of the page's rendering time)."""
        errors = self.errors if self.is_bound else {}
        controls = []
        for name, field in self.fields.items():
            raw = self.data.get(name, "") if self.is_bound else ""
            value = raw if isinstance(raw, str) else ""
            choices = getattr(field, "choices", None)
            options = tuple((str(k), str(v), str(k) == value) for k, v in choices or ())
            controls.append(
                Control(
                    name=name,
                    id=f"id_{name}",
                    label=str(field.label),
                    value=value,
                    error=" ".join(errors.get(name, [])),
                    options=options,
                    max_length=getattr(field, "max_length", None),
                    placeholder=str(field.widget.attrs.get("placeholder", "")),
                )
            )
        return controls
