"""The small forms of a task page's actions: delegate, assign, comment."""

from __future__ import annotations

from django import forms

USERNAME_HELP = "The user name of the person who should work on it."


class DelegateForm(forms.Form):
    delegate_to = forms.CharField(
        label="Delegate to", max_length=150, strip=True, help_text=USERNAME_HELP
    )


class AssignForm(forms.Form):
    assignee = forms.CharField(
        label="Assign to",
        max_length=150,
        strip=True,
        required=False,
        help_text="Leave empty to give the task back to its candidates.",
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment",
        max_length=4000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
