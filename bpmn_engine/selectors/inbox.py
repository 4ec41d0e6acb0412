"""The task inbox: three views of the open tasks a user may see, with filters, sorting,
bounded counts and pages.

Every list is a set of tasks the one policy (``bpmn_engine.permissions``) lets the user
see:

- ``mine``: assigned to the user (``permissions.assigned_tasks``);
- ``group``: unclaimed, and the user is a candidate user or in a candidate group
  (``permissions.candidate_tasks``);
- ``all``: every open task the user may see (``permissions.visible_tasks``).

Counts stop at ``COUNT_CAP`` ("100+"): an exact count of 100,000 visible rows costs a
scan of all of them on every page view and every poll, a capped one stops early. The
three counts are one statement. Free text is bounded (``MAX_TEXT`` characters) and
searches the task name, and from three characters on the business key and the *string*
variables of the task's instance (the ``VariableRow`` projection; see
``text_condition``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull

from bpmn_engine import permissions
from bpmn_engine.models import (
    ProcessDefinition,
    ProcessInstance,
    UserTask,
    VariableRow,
)
from bpmn_engine.models.work import UserTaskState

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
SELECTIVE_MATCHES = 2000
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


def inbox_tasks(user: Any, view: str) -> QuerySet[UserTask]:
    """The open tasks of one inbox view, unfiltered and unsorted.

    "My tasks" and "Group tasks" ask the policy's narrower conditions
    (``permissions.assigned_tasks`` / ``candidate_tasks``): an assignee or a candidate is
    involved, so those tasks are visible by the policy's own rule, and the query skips the
    whole policy condition (eight ``OR``ed branches, each with its subquery)."""
    if view not in VIEWS:
        raise ValueError(f"Expected an inbox view in {VIEWS}, but got {view!r}")
    if not permissions.may_ever_work(user):
        # auditors and inactive users hold and claim nothing (visible_tasks says so too)
        return UserTask.objects.none()
    open_tasks = UserTask.objects.filter(state=UserTaskState.OPEN)
    if view == "mine":
        return permissions.assigned_tasks(user, open_tasks)
    if view == "group":
        return permissions.candidate_tasks(user, open_tasks.filter(assignee=""))
    return permissions.visible_tasks(user, open_tasks)


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


def text_condition(text: str) -> Q | None:
    """The free-text condition on ``UserTask``: its name, its instance's business key or a
    string variable of its instance contains ``text`` (case-insensitive); None for no
    text. Resolve it once a request and hand it to ``filtered_tasks`` and
    ``view_counts``: for longer text it runs a query.

    Shorter text than ``MIN_INDEXED_TEXT`` searches names only. Longer text first asks
    which instances match, at most ``SELECTIVE_MATCHES`` of them (trigram indexes on
    PostgreSQL, migration 0014). A selective search then names those instances outright:
    with the trigram index on open tasks' names (migration 0017) PostgreSQL fetches the
    few matching tasks by index instead of walking every visible task looking for them.
    A broad one checks each task as it walks them in page order (the business key on the
    joined instance, the variables by an index probe), and a page fills after a few
    dozen tasks."""
    text = text.strip()
    if not text:
        return None
    condition = Q(name__icontains=text)
    if len(text) < MIN_INDEXED_TEXT:
        return condition
    matches = matching_instances(text, limit=SELECTIVE_MATCHES)
    if matches is not None:
        return condition | Q(instance_id__in=matches) if matches else condition
    # A scalar subquery on purpose: PostgreSQL may turn an EXISTS into a hashed subplan
    # that first collects every matching variable (222,220 rows for "customer 1" in
    # bench/bench_inbox.py); a scalar subquery is always probed per task walked, through
    # the (instance_id, scope_id, name) index.
    variables = VariableRow.objects.filter(
        instance_id=OuterRef("instance_id"), type="String", value__icontains=text
    )
    any_variable = IsNull(Subquery(variables.values("pk")[:1]), False)
    return condition | Q(instance__business_key__icontains=text) | Q(any_variable)


def matching_instances(text: str, *, limit: int) -> list[int] | None:
    """Ids of the instances whose business key or a string variable contains ``text``
    (case-insensitive), or None when more than ``limit`` do (one query)."""
    keys = ProcessInstance.objects.filter(business_key__icontains=text)
    variables = VariableRow.objects.filter(type="String", value__icontains=text)
    keys, variables = (
        keys.order_by().values_list("pk"),
        variables.order_by().values_list("instance_id"),
    )
    # UNION ALL streams, so the LIMIT stops the scan early (a plain UNION would collect
    # every match first); an instance matching twice counts twice, which errs towards
    # the broad plan.
    rows = list(keys.union(variables, all=True)[: limit + 1])
    return sorted({pk for (pk,) in rows}) if len(rows) <= limit else None


_UNRESOLVED: Any = object()


def filtered_tasks(
    tasks: QuerySet[UserTask],
    filters: InboxFilter,
    *,
    now: datetime,
    text: Q | None = _UNRESOLVED,
) -> QuerySet[UserTask]:
    """``tasks`` narrowed by ``filters`` and sorted (the rows a page shows). ``text`` is
    ``text_condition(filters.text)`` when the caller resolved it already."""
    if filters.process:
        tasks = tasks.filter(instance__definition__key=filters.process)
    if filters.due:
        tasks = tasks.filter(_due_q(filters.due, now))
    if filters.priority:
        tasks = tasks.filter(_priority_q(filters.priority))
    if text is _UNRESOLVED:
        text = text_condition(filters.text)
    if text is not None:
        tasks = tasks.filter(text)
    return tasks.order_by(*SORTS[filters.sort])


def bounded_count(tasks: QuerySet[UserTask], cap: int = COUNT_CAP) -> int:
    """How many rows ``tasks`` has, counting no further than ``cap + 1``. The sort order
    is kept on purpose: it steers PostgreSQL to walk the same partial index as the page
    and stop early, where an unordered count may plan a scan of every visible task."""
    return tasks.values("pk")[: cap + 1].count()


def view_counts(
    user: Any,
    filters: InboxFilter,
    *,
    now: datetime,
    cap: int = COUNT_CAP,
    text: Q | None = _UNRESOLVED,
) -> dict[str, int]:
    """Bounded counts of every view under the same filters, in one statement: each view's
    ``bounded_count`` becomes a scalar subquery of a single ``SELECT``.

    The statement is compiled once per user shape (``permissions.policy_key``), filters
    and cap and kept as SQL text (compiling the policy condition cost more than running
    it). Filters on due dates depend on the clock and free text on the matching
    instances found then (``text_condition``): those are compiled every time."""
    cacheable = not filters.due and not filters.text.strip()
    key = (permissions.policy_key(user), filters, cap) if cacheable else None
    compiled = _COMPILED_COUNTS.get(key) if key is not None else None
    if compiled is None:
        if text is _UNRESOLVED:
            text = text_condition(filters.text)
        compiled = _counts_statement(user, filters, now=now, cap=cap, text=text)
        if key is not None:
            if len(_COMPILED_COUNTS) > MAX_COMPILED:
                _COMPILED_COUNTS.clear()
            _COMPILED_COUNTS[key] = compiled
    text, params = compiled
    if not text:
        return dict.fromkeys(VIEWS, 0)
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        row = cursor.fetchone()
    return {view: int(count) for view, count in zip(VIEWS, row, strict=True)}


_COMPILED_COUNTS: dict[Any, tuple[str, tuple[Any, ...]]] = {}
MAX_COMPILED = 1000


def _counts_statement(
    user: Any, filters: InboxFilter, *, now: datetime, cap: int, text: Q | None
) -> tuple[str, tuple[Any, ...]]:
    """``SELECT (<bounded count of mine>), (<group>), (<all>)`` and its parameters; an
    empty text when every view is empty by rule (auditors, inactive users)."""
    parts: list[str] = []
    params: list[Any] = []
    for view in VIEWS:
        tasks = filtered_tasks(inbox_tasks(user, view), filters, now=now, text=text)
        if tasks.query.is_empty():
            parts.append("0")
            continue
        query = tasks.values("pk")[: cap + 1].query
        sql, view_params = query.get_compiler(connection=connection).as_sql()
        # the compiled SQL of a queryset, its values still parameters
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS {view}_rows)")  # noqa: S608
        params.extend(view_params)
    if all(part == "0" for part in parts):
        return "", ()
    return f"SELECT {', '.join(parts)}", tuple(params)


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
