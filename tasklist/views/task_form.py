"""Submitting a task's form from the task page (``tasklist:submit-form``).

Who may complete the task is settled first (a hidden task is a 404, one the user may not
work on a 403, one they do not hold a message), then the values are validated on the
server (``services.task_forms.submit_task_form``) and the task completes; a refused
submission goes back to the task page with its messages and what was entered (kept in
the session for one view, see ``templatetags.task_forms``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from bpmn_engine.errors import EngineError, ForbiddenError, FormValidationError, NotFoundError
from bpmn_engine.services.task_forms import completion_form, submit_task_form
from tasklist.forms import submitted_values
from tasklist.templatetags.task_forms import remember_refusal


@login_required
@require_POST
def submit_form(request: HttpRequest, task_id: int) -> HttpResponse:
    task_url = reverse("tasklist:task", args=[task_id])
    try:
        # 404 hidden, 403 may not work, a message when not completable: before any value
        resolved = completion_form(task_id=task_id, user=request.user)
        submit_task_form(
            task_id=task_id, user=request.user, values=submitted_values(resolved, request.POST)
        )
    except NotFoundError as missing:
        raise Http404(str(missing)) from missing
    except ForbiddenError as forbidden:
        raise PermissionDenied(str(forbidden)) from forbidden
    except FormValidationError as refused:
        remember_refusal(request.session, task_id, request.POST, refused)
        messages.error(request, "The form has errors: please correct them below.")
        return redirect(task_url + "#work")
    except EngineError as refused:
        messages.error(request, str(refused))
        return redirect(task_url)
    messages.success(request, "Task completed.")
    return redirect("tasklist:inbox")
