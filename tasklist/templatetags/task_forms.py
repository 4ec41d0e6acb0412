"""``{% task_form task %}``: the task's form (or a plain Complete button) on the task page.

Renders ``tasklist/_form.html`` posting to ``tasklist:submit-form``. After a refused
submission that view keeps what was posted and the messages in the session for one
page view (post/redirect/get), so the fields show them here."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.urls import reverse

from bpmn_engine.errors import EngineError, FormValidationError
from bpmn_engine.services.task_forms import task_form as resolve_task_form
from tasklist.forms import form_view

register = template.Library()
REFUSED_KEY = "tasklist-form-refused-{}"


def remember_refusal(
    session: Any, task_id: int, post: QueryDict, error: FormValidationError
) -> None:
    """Keep the posted values and the messages for the next view of the task page."""
    data = {k: post.getlist(k) for k in post if k != "csrfmiddlewaretoken"}
    session[REFUSED_KEY.format(task_id)] = {
        "data": data,
        "errors": {k: list(v) for k, v in error.field_errors.items()},
        "message": str(error),
    }


def _take_refusal(
    session: Any, task_id: int
) -> tuple[QueryDict | None, FormValidationError | None]:
    saved = session.pop(REFUSED_KEY.format(task_id), None)
    if not isinstance(saved, dict):
        return None, None
    data = QueryDict(mutable=True)
    for key, values in (saved.get("data") or {}).items():
        data.setlist(key, [str(v) for v in values])
    errors = {k: tuple(v) for k, v in (saved.get("errors") or {}).items()}
    return data, FormValidationError(str(saved.get("message") or ""), errors)


@register.inclusion_tag("tasklist/_form.html", takes_context=True)
def task_form(context: template.Context, task: Any) -> dict[str, Any]:
    request = context["request"]
    action = reverse("tasklist:submit-form", args=[task.pk])
    data, refused = _take_refusal(request.session, task.pk)
    try:
        resolved = resolve_task_form(task_id=task.pk, user=request.user)
    except EngineError as broken:  # a form that cannot be shown: say so, offer nothing
        return {
            "form_view": None,
            "form_problem": str(broken),
            "csrf_token": context.get("csrf_token"),
        }
    is_plain = resolved.spec is None
    view = form_view(
        resolved,
        action=action,
        submit_label="Complete task",
        data=data,
        refused=refused,
    )
    if is_plain:
        view.submit_id = "complete-button"
    return {"form_view": view, "csrf_token": context.get("csrf_token")}
