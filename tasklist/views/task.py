"""The task page and its actions (claim, release, complete, delegate, resolve, assign,
comment).

Every action is a POST (CSRF-checked) that calls one service command and redirects
(post/redirect/get) with a message. The answers come in one order for every action: a
task the user may not see is a 404 (exactly like a missing one), a task they see but may
not act on this way a 403, both before any input is looked at; only then is the input
validated. The services enforce the same policy again inside their transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bpmn_engine import permissions
from bpmn_engine.errors import EngineError, ForbiddenError, NotFoundError
from bpmn_engine.models import UserTask
from bpmn_engine.models.work import DelegationState, UserTaskState
from bpmn_engine.selectors import TaskDetail, user_task_detail
from bpmn_engine.selectors.task_page import instance_timeline, task_comments
from bpmn_engine.services import (
    assign_user_task,
    claim_user_task,
    comment_on_user_task,
    delegate_user_task,
    resolve_user_task,
    unclaim_user_task,
)
from bpmn_engine.services.task_forms import submit_task_form
from tasklist.action_forms import AssignForm, CommentForm, DelegateForm


def _visible_detail(request: HttpRequest, task_id: int) -> TaskDetail:
    """The task with its variables, or 404 when it is missing or hidden from the user."""
    try:
        return user_task_detail(task_id=task_id, queryset=permissions.visible_tasks(request.user))
    except NotFoundError as missing:
        raise Http404(str(missing)) from missing


def shown_variables(variables: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """``(name, text, structured)`` by name: strings as they are, other values as JSON
    (indented when structured). The template escapes the text."""
    shown = []
    for name, value in sorted(variables.items()):
        if isinstance(value, str):
            shown.append((name, value, False))
        else:
            structured = isinstance(value, dict | list)
            text = json.dumps(
                value, indent=2 if structured else None, ensure_ascii=False, default=str
            )
            shown.append((name, text, structured))
    return shown


def _require_may(
    request: HttpRequest, task_id: int, check: Callable[[Any, UserTask], None]
) -> None:
    """Before any input is read: 404 when the task is missing or hidden from the user,
    403 when ``check`` (a ``permissions.require_task_*``) refuses them."""
    task = permissions.task_with_access(request.user, task_id)
    try:
        if task is None:
            raise NotFoundError(f"Expected to find user task {task_id}, but it does not exist")
        check(request.user, task)
    except NotFoundError as missing:
        raise Http404(str(missing)) from missing
    except ForbiddenError as forbidden:
        raise PermissionDenied(str(forbidden)) from forbidden


def _may_work(user: Any, task: UserTask) -> None:
    permissions.require_task_work(user, task, "comment on")


def _may_assign(user: Any, task: UserTask) -> None:
    permissions.require_task_manage(user, task, "assign")


def _inbox_url() -> str:
    return reverse("tasklist:inbox")


def _task_url(task_id: int) -> str:
    return reverse("tasklist:task", args=[task_id])


def _allowed(user: Any, task: UserTask) -> dict[str, bool]:
    """What the page offers ``user`` on ``task`` (the services decide again on POST)."""
    username = user.get_username()
    is_open = task.state == UserTaskState.OPEN
    can_work = permissions.can_work_task(user, task)
    holder = task.assignee == username
    pending = task.delegation_state == DelegationState.PENDING
    return {
        "open": is_open,
        "holder": holder,
        "can_work": can_work,
        "claim": is_open and can_work and not task.assignee,
        "unclaim": is_open and can_work and holder and not pending,
        "complete": is_open and can_work and holder and not pending,
        "resolve": is_open and can_work and holder and pending,
        "delegate": is_open and permissions.can_delegate_task(user, task),
        "assign": is_open and permissions.can_manage_task(user, task),
        "comment": can_work,
    }


@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    detail = _visible_detail(request, task_id)
    task = detail.task
    return render(
        request,
        "tasklist/task.html",
        {
            "detail": detail,
            "task": task,
            "instance": task.instance,
            "definition": task.instance.definition,
            "variables": shown_variables(detail.variables),
            "timeline": instance_timeline(
                instance_id=task.instance_id,
                visible_tasks=permissions.visible_tasks(request.user),
            ),
            "comments": task_comments(task_id=task.pk),
            "nav_section": "inbox",
            "allowed": _allowed(request.user, task),
            "delegate_form": DelegateForm(),
            "assign_form": AssignForm(initial={"assignee": task.assignee}),
            "comment_form": CommentForm(),
        },
    )


def _act(
    request: HttpRequest, task_id: int, run: Callable[[], object], done: str, then: str = ""
) -> HttpResponse:
    """Run one command; 404/403 for hidden/forbidden, a message for any other refusal."""
    try:
        run()
    except NotFoundError as missing:
        raise Http404(str(missing)) from missing
    except ForbiddenError as forbidden:
        raise PermissionDenied(str(forbidden)) from forbidden
    except EngineError as refused:
        messages.error(request, str(refused))
        return redirect(_task_url(task_id))
    messages.success(request, done)
    return redirect(then or _task_url(task_id))


def _form_refused(request: HttpRequest, task_id: int, form: Any) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(_task_url(task_id))


@login_required
@require_POST
def claim(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request,
        task_id,
        lambda: claim_user_task(task_id=task_id, user=request.user),
        "You hold this task now.",
    )


@login_required
@require_POST
def unclaim(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request,
        task_id,
        lambda: unclaim_user_task(task_id=task_id, user=request.user),
        "The task is back with its candidates.",
    )


@login_required
@require_POST
def complete(request: HttpRequest, task_id: int) -> HttpResponse:
    """Complete a task with no values: through its form's server-side validation, so a
    task whose form requires values is refused here (its form posts to ``submit-form``)."""
    return _act(
        request,
        task_id,
        lambda: submit_task_form(task_id=task_id, user=request.user, values={}),
        "Task completed.",
        then=_inbox_url(),
    )


@login_required
@require_POST
def resolve(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request,
        task_id,
        lambda: resolve_user_task(task_id=task_id, user=request.user),
        "The task is back with its owner.",
    )


@login_required
@require_POST
def delegate(request: HttpRequest, task_id: int) -> HttpResponse:
    _require_may(request, task_id, permissions.require_task_delegate)
    form = DelegateForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, task_id, form)
    to = form.cleaned_data["delegate_to"]
    return _act(
        request,
        task_id,
        lambda: delegate_user_task(task_id=task_id, user=request.user, delegate_to=to),
        f"Delegated to {to}.",
    )


@login_required
@require_POST
def assign(request: HttpRequest, task_id: int) -> HttpResponse:
    _require_may(request, task_id, _may_assign)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, task_id, form)
    to = form.cleaned_data["assignee"]
    return _act(
        request,
        task_id,
        lambda: assign_user_task(task_id=task_id, user=request.user, assignee=to),
        f"Assigned to {to}." if to else "The task is back with its candidates.",
    )


@login_required
@require_POST
def comment(request: HttpRequest, task_id: int) -> HttpResponse:
    _require_may(request, task_id, _may_work)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, task_id, form)
    text = form.cleaned_data["text"]
    return _act(
        request,
        task_id,
        lambda: comment_on_user_task(task_id=task_id, user=request.user, text=text),
        "Comment added.",
    )
