"""User tasks with the variables visible at their scope.

A task's variables are those visible from the scope its wait opened in (the task's local
I/O scope, a multi-instance iteration's scope, a subprocess's scope, up to the root):
``runtime.snapshot_variables`` resolves that chain from the instance's state snapshot, so
no caller walks wait -> token -> scope by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from bpmn_engine.errors import NotFoundError
from bpmn_engine.models import UserTask
from bpmn_engine.models.work import CandidateKind, UserTaskState
from bpmn_engine.persistence.state_parts import snapshot_parts
from bpmn_engine.runtime import snapshot_variables


def user_task_list(
    *,
    queryset: QuerySet[UserTask] | None = None,
    state: str | None = UserTaskState.OPEN,
    assignee: str | None = None,
    instance_id: int | None = None,
    node_id: str | None = None,
) -> QuerySet[UserTask]:
    """User tasks (open ones unless ``state`` says otherwise; None: any state), highest
    priority first, with instance and definition joined (the state snapshot deferred) and
    candidates prefetched: listing N tasks costs two queries."""
    tasks = queryset if queryset is not None else UserTask.objects.all()
    if state is not None:
        tasks = tasks.filter(state=state)
    if assignee is not None:
        tasks = tasks.filter(assignee=assignee)
    if instance_id is not None:
        tasks = tasks.filter(instance_id=instance_id)
    if node_id is not None:
        tasks = tasks.filter(node_id=node_id)
    return (
        tasks.select_related("instance__definition")
        .defer("instance__state")
        .prefetch_related("candidates")
        .order_by("-priority", "created_at", "id")
    )


def task_variables(task: UserTask) -> dict[str, Any]:
    """The variables visible to ``task`` now (its instance's root variables once the task
    is no longer open). Reads ``task.instance.state`` (one query unless already loaded)."""
    return snapshot_variables(snapshot_parts(task.instance, task.wait_id), task.wait_id)


@dataclass(frozen=True)
class TaskDetail:
    """A user task with its visible variables and candidate users and groups."""

    task: UserTask
    variables: dict[str, Any]
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]


def _detail(task: UserTask) -> TaskDetail:
    candidates = list(task.candidates.all())
    return TaskDetail(
        task=task,
        variables=task_variables(task),
        candidate_users=tuple(c.identity for c in candidates if c.kind == CandidateKind.USER),
        candidate_groups=tuple(c.identity for c in candidates if c.kind == CandidateKind.GROUP),
    )


def user_task_detail(*, task_id: int, queryset: QuerySet[UserTask] | None = None) -> TaskDetail:
    """The task ``task_id`` (looked up in ``queryset`` when given) in two queries.

    Raises ``NotFoundError`` when it does not exist or ``queryset`` hides it."""
    tasks = queryset if queryset is not None else UserTask.objects.all()
    task = (
        tasks.select_related("instance__definition")
        .prefetch_related("candidates")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFoundError(f"Expected to find user task {task_id}, but it does not exist")
    return _detail(task)


def user_tasks_with_variables(tasks: Iterable[UserTask] | QuerySet[UserTask]) -> list[TaskDetail]:
    """Details of many tasks at once (a page of an inbox): the instances' snapshots are
    read in one query, candidates in one more."""
    if isinstance(tasks, QuerySet):
        tasks = tasks.select_related("instance__definition").prefetch_related("candidates")
        # a list from ``user_task_list`` defers the snapshot: load it with the tasks
        tasks = tasks.defer(None)
    return [_detail(task) for task in tasks]
