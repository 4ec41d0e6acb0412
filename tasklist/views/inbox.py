"""The inbox: "My tasks", "Group tasks" and "All I can see", with filters, sorting,
pages and bounded counts. An htmx poll (``HX-Request``) gets only the list partial;
without JavaScript the same URL serves the whole page."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from bpmn_engine import permissions
from bpmn_engine.models import UserTask
from bpmn_engine.selectors.inbox import (
    COUNT_CAP,
    VIEWS,
    filtered_tasks,
    inbox_page,
    inbox_processes,
    inbox_tasks,
    text_condition,
    view_counts,
)
from tasklist.filters import InboxFilterForm

PAGE_SIZE = 25
TITLES = {"mine": "My tasks", "group": "Group tasks", "all": "All I can see"}
URL_NAMES = {"mine": "tasklist:mine", "group": "tasklist:group", "all": "tasklist:inbox"}


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _tabs(view: str, counts: dict[str, int], query: str) -> list[dict[str, object]]:
    """One link per view, keeping the filters, with its bounded count ("1000+")."""
    return [
        {
            "name": name,
            "label": TITLES[name],
            "url": _with_query(reverse(URL_NAMES[name]), query),
            "current": name == view,
            "count": f"{COUNT_CAP}+" if counts[name] > COUNT_CAP else str(counts[name]),
        }
        for name in VIEWS
    ]


def _when(moment: datetime | None) -> tuple[str, str]:
    """(ISO 8601, "YYYY-MM-DD HH:MM") in the current time zone, as the ``date`` filter
    writes them; empty for no date."""
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return local.isoformat(), local.strftime("%Y-%m-%d %H:%M")


def _rows(tasks: list[UserTask], now: datetime) -> list[dict[str, object]]:
    """What each table row shows, worked out once here: the template only writes it out
    (no per-row URL tag, date filters or lookups through instance and definition)."""
    rows = []
    for task in tasks:
        instance = task.instance
        definition = instance.definition
        created, created_text = _when(task.created_at)
        due, due_text = _when(task.due_at)
        rows.append(
            {
                "pk": task.pk,
                "url": reverse("tasklist:task", args=[task.pk]),
                "name": task.name or task.node_id,
                "process": definition.name or definition.key,
                "business_key": instance.business_key or "",
                "created": created,
                "created_text": created_text,
                "due": due,
                "due_text": due_text,
                "overdue": task.due_at is not None and task.due_at < now,
                "priority": task.priority,
                "assignee": task.assignee or "unclaimed",
            }
        )
    return rows


def _poll_seconds() -> str:
    """``PROCESSION_INBOX_POLL_SECONDS`` as htmx reads it (``15`` or ``0.5``)."""
    seconds = max(float(settings.PROCESSION_INBOX_POLL_SECONDS), 0.1)
    return f"{seconds:g}"


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


def _inbox(request: HttpRequest, view: str) -> HttpResponse:
    user = request.user
    now = timezone.now()
    form = InboxFilterForm(request.GET or None, processes=inbox_processes(user))
    filters = form.inbox_filter()
    text = text_condition(filters.text)
    tasks = filtered_tasks(inbox_tasks(user, view), filters, now=now, text=text)
    page = inbox_page(tasks, number=_page_number(request), size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    query_text = query.urlencode()
    poll_query = request.GET.copy()
    counts = view_counts(user, filters, now=now, cap=COUNT_CAP, text=text)
    context = {
        "view": view,
        "title": TITLES[view],
        "tabs": _tabs(view, counts, query_text),
        "form": form,
        "page": page,
        "rows": _rows(page.tasks, now),
        "now": now,
        "query": query_text,
        "filtered": any(query.get(k) for k in ("q", "process", "due", "priority")),
        "poll_url": _with_query(request.path, poll_query.urlencode()),
        "poll_seconds": _poll_seconds(),
        "groups": sorted(permissions.group_names(user)),
        "is_auditor": permissions.is_auditor(user),
        "nav_section": "inbox",
    }
    partial = bool(getattr(request, "htmx", False))
    template = "tasklist/_inbox_list.html" if partial else "tasklist/inbox.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@login_required
def all_tasks(request: HttpRequest) -> HttpResponse:
    """Every open task the user may see (the site's home page)."""
    return _inbox(request, "all")


@require_GET
@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Open tasks assigned to the user."""
    return _inbox(request, "mine")


@require_GET
@login_required
def group_tasks(request: HttpRequest) -> HttpResponse:
    """Unclaimed tasks the user is a candidate for (as a user or through a group)."""
    return _inbox(request, "group")
