"""The task inbox: three views of the open tasks a user may see, with filters, sorting,
bounded counts and pages.

Every list starts from ``permissions.visible_tasks`` (the one policy) and narrows it:

- ``mine``: assigned to the user;
- ``group``: unclaimed, and the user is a candidate user or in a candidate group;
- ``all``: every open task the user may see.

Counts stop at ``COUNT_CAP`` ("100+"): an exact count of 100,000 visible rows costs a
scan of all of them on every page view and every poll, a capped one stops early.
Free text is bounded (``MAX_TEXT`` characters) and searches the task name, and from three
characters on the business key and the *string* variables of the task's instance (the
``VariableRow`` projection; trigram indexes serve both on PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet

from bpmn_engine import permissions
from bpmn_engine.models import (
    ProcessDefinition,
    ProcessInstance,
    UserTask,
    UserTaskCandidate,
    VariableRow,
)
from bpmn_engine.models.work import CandidateKind, UserTaskState

VIEWS = ("mine", "group", "all")
DUE_CHOICES = ("overdue", "today", "week")
PRIORITY_CHOICES = ("high", "normal", "low")
NORMAL_PRIORITY = 50
SORTS = {
    "-created": (F("created_at").desc(), F("id").desc()),
    "created": (F("created_at").asc(), F("id").asc()),
    "due": (F("due_at").asc(nulls_last=True), F("id").asc()),
    "-priority": (F("priority").desc(), F("created_at").desc(), F("id").desc()),
    "priority": (F("priority").asc(), F("created_at").desc(), F("id").desc()),
    "name": (F("name").asc(), F("id").asc()),
}
DEFAULT_SORT = "-created"
COUNT_CAP = 100
MAX_TEXT = 100
MIN_INDEXED_TEXT = 3
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class InboxFilter:
    """What narrows a view. Empty strings mean "no filter"."""

    process: str = ""
    due: str = ""
    priority: str = ""
    text: str = ""
    sort: str = DEFAULT_SORT

    def __post_init__(self) -> None:
        if self.due and self.due not in DUE_CHOICES:
            raise ValueError(f"Expected a due filter in {DUE_CHOICES}, but got {self.due!r}")
        if self.priority and self.priority not in PRIORITY_CHOICES:
            raise ValueError(f"Expected a priority in {PRIORITY_CHOICES}, got {self.priority!r}")
        if self.sort not in SORTS:
            raise ValueError(f"Expected a sort in {tuple(SORTS)}, but got {self.sort!r}")
        if len(self.text) > MAX_TEXT:
            raise ValueError(f"Expected search text of at most {MAX_TEXT} characters")


def candidate_q(user: Any) -> Q:
    """The user is a candidate user of the task or in one of its candidate groups."""
    if not permissions.may_ever_work(user):
        return Q(pk__in=[])
    groups = permissions.group_names(user)
    mine = Q(kind=CandidateKind.USER, identity=user.get_username())
    if groups:
        mine |= Q(kind=CandidateKind.GROUP, identity__in=groups)
    return Q(pk__in=UserTaskCandidate.objects.filter(mine).values("user_task_id"))


def inbox_tasks(user: Any, view: str) -> QuerySet[UserTask]:
    """The open tasks of one inbox view, unfiltered and unsorted."""
    if view not in VIEWS:
        raise ValueError(f"Expected an inbox view in {VIEWS}, but got {view!r}")
    tasks = permissions.visible_tasks(user).filter(state=UserTaskState.OPEN)
    if not permissions.may_ever_work(user):
        # auditors and inactive users hold and claim nothing (visible_tasks says so too)
        return tasks.none()
    if view == "mine":
        return tasks.filter(assignee=user.get_username())
    if view == "group":
        return tasks.filter(candidate_q(user), assignee="")
    return tasks


def _due_q(due: str, now: datetime) -> Q:
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if due == "overdue":
        return Q(due_at__lt=now)
    if due == "today":
        return Q(due_at__gte=start_of_day, due_at__lt=start_of_day + timedelta(days=1))
    # "this week": Monday to Sunday of the current week
    monday = start_of_day - timedelta(days=start_of_day.weekday())
    return Q(due_at__gte=monday, due_at__lt=monday + timedelta(days=7))


def _priority_q(priority: str) -> Q:
    if priority == "high":
        return Q(priority__gt=NORMAL_PRIORITY)
    if priority == "low":
        return Q(priority__lt=NORMAL_PRIORITY)
    return Q(priority=NORMAL_PRIORITY)


def _text_q(text: str) -> Q:
    """Task name, business key or a string variable of the instance contains ``text``.

    Instances are matched by uncorrelated subqueries (one hashed lookup per task row),
    which PostgreSQL answers from trigram indexes (migration 0012) for three or more
    characters; shorter text searches names only."""
    condition = Q(name__icontains=text)
    if len(text) >= MIN_INDEXED_TEXT:
        keys = ProcessInstance.objects.filter(business_key__icontains=text).values("pk")
        variables = VariableRow.objects.filter(type="String", value__icontains=text)
        condition |= Q(instance_id__in=keys) | Q(instance_id__in=variables.values("instance_id"))
    return condition


def filtered_tasks(
    tasks: QuerySet[UserTask], filters: InboxFilter, *, now: datetime
) -> QuerySet[UserTask]:
    """``tasks`` narrowed by ``filters`` and sorted (the rows a page shows)."""
    if filters.process:
        tasks = tasks.filter(instance__definition__key=filters.process)
    if filters.due:
        tasks = tasks.filter(_due_q(filters.due, now))
    if filters.priority:
        tasks = tasks.filter(_priority_q(filters.priority))
    text = filters.text.strip()
    if text:
        tasks = tasks.filter(_text_q(text))
    return tasks.order_by(*SORTS[filters.sort])


def bounded_count(tasks: QuerySet[UserTask], cap: int = COUNT_CAP) -> int:
    """How many rows ``tasks`` has, counting no further than ``cap + 1``. The sort order
    is kept on purpose: it steers PostgreSQL to walk the same partial index as the page
    and stop early, where an unordered count may plan a scan of every visible task."""
    return tasks.values("pk")[: cap + 1].count()


def view_counts(
    user: Any, filters: InboxFilter, *, now: datetime, cap: int = COUNT_CAP
) -> dict[str, int]:
    """Bounded counts of every view under the same filters (one query each)."""
    return {
        view: bounded_count(filtered_tasks(inbox_tasks(user, view), filters, now=now), cap)
        for view in VIEWS
    }


@dataclass(frozen=True)
class InboxPage:
    """One page of a view: its rows, where it stands and whether more follow."""

    tasks: list[UserTask]
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.tasks else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.tasks)


def inbox_page(tasks: QuerySet[UserTask], *, number: int, size: int) -> InboxPage:
    """Page ``number`` (from 1) of ``tasks``: one query, one row more than the page to
    know whether another follows. Instance state and form definitions are not loaded."""
    number = max(1, number)
    size = max(1, min(size, MAX_PAGE_SIZE))
    offset = (number - 1) * size
    rows = list(
        tasks.select_related("instance__definition").only(
            "id",
            "name",
            "node_id",
            "assignee",
            "priority",
            "due_at",
            "created_at",
            "instance__id",
            "instance__business_key",
            "instance__definition__id",
            "instance__definition__key",
            "instance__definition__name",
        )[offset : offset + size + 1]
    )
    return InboxPage(tasks=rows[:size], number=number, size=size, has_next=len(rows) > size)


def inbox_processes(user: Any) -> list[tuple[str, str]]:
    """(key, name) of every deployed process, for the process filter, when the user may
    hold tasks at all. Names only: the filter narrows ``visible_tasks`` and never widens
    it. (Asking which processes have a task the user sees costs a scan of every visible
    task, on every page view.)"""
    if not permissions.may_ever_work(user):
        return []
    names: dict[str, str] = {}
    latest = ProcessDefinition.objects.order_by("key", "-version").values_list("key", "name")
    for key, name in latest:
        names.setdefault(key, name or key)
    return sorted(names.items(), key=lambda item: item[1].lower())
