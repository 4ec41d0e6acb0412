"""Claiming, releasing, completing, delegating, resolving, assigning and commenting on
user tasks. Every command checks ``bpmn_engine.permissions`` inside its transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine import permissions
from bpmn_engine.audit import record
from bpmn_engine.errors import (
    NotFoundError,
    TaskAlreadyClaimedError,
    TaskDelegatedError,
    TaskNotAssignedError,
    TaskNotOpenError,
)
from bpmn_engine.models import TaskComment, UserTask
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import DelegationState, UserTaskState
from bpmn_engine.persistence import store
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork


def _username(user: Any) -> str:
    """The acting user's name; ``None`` is the engine itself."""
    if user is None:
        return ""
    return user.get_username() if hasattr(user, "get_username") else str(user)


def _locked_open_task(task_id: int, user: Any, work: UnitOfWork | None = None) -> UserTask:
    """Lock the task's instance (the engine's unit of serialisation), then the task.

    With a unit of work the instance is locked and loaded through it, once. A task the
    user may not see is reported as missing, before its state is revealed."""
    # The task is read after the instance lock, which every command on the task takes
    # (in the lock's round trip on PostgreSQL): no row lock on the task is needed. The
    # same statement answers the policy's visibility and work checks for this user.
    instance, access = store.lock_instance_of_then(
        UserTask, task_id, permissions.task_access_statement(user, task_id)
    )
    if instance is None:
        raise NotFoundError(f"Expected to find user task {task_id}, but it does not exist")
    if work is not None:
        instance = work.adopt(instance).row
    task = permissions.task_from_access_row(user, access[0] if access else None)
    if task is None:
        raise NotFoundError(f"Expected to find user task {task_id}, but it does not exist")
    task.instance = instance
    permissions.require_task_visible(user, task)
    if task.state != UserTaskState.OPEN:
        raise TaskNotOpenError(f"Expected to work on user task {task_id}, but it is {task.state}")
    return task


def _audit_task(task: UserTask, event_type: str, user: Any, **data: Any) -> None:
    record(
        event_type,
        user=user,
        instance_id=task.instance_id,
        definition_id=task.instance.definition_id,
        element_id=task.node_id,
        data={"task_id": task.pk, "wait_id": task.wait_id, **data},
    )


@command
def claim_user_task(*, task_id: int, user: Any) -> UserTask:
    """Make ``user`` the assignee; claiming a task you already hold is a no-op."""
    task = _locked_open_task(task_id, user)
    permissions.require_task_work(user, task, "claim")
    username = _username(user)
    if task.assignee and task.assignee != username:
        raise TaskAlreadyClaimedError(
            f"Expected to claim user task {task_id}, but {task.assignee} holds it"
        )
    if task.assignee != username:
        task.assignee = username
        task.save(update_fields=["assignee"])
        _audit_task(task, AuditEventType.TASK_CLAIMED, user, assignee=username)
    return task


@command
def unclaim_user_task(*, task_id: int, user: Any) -> UserTask:
    """Give the task back to its candidates."""
    task = _locked_open_task(task_id, user)
    permissions.require_task_work(user, task, "release")
    if task.assignee and task.assignee != _username(user):
        raise TaskAlreadyClaimedError(
            f"Expected to release user task {task_id}, but {task.assignee} holds it"
        )
    previous, task.assignee = task.assignee, ""
    task.save(update_fields=["assignee"])
    _audit_task(task, AuditEventType.TASK_UNCLAIMED, user, previous_assignee=previous)
    return task


def require_completable(user: Any, task: UserTask, *, claim: bool = False) -> None:
    """What completing ``task`` asks of ``user``, in the order the answers are given: it
    is visible (``NotFoundError``), the user may work on it (``ForbiddenError``), it is
    open, not delegated to its delegate, and held by the user (unassigned is enough with
    ``claim``). Form services call it before looking at any submitted value."""
    permissions.require_task_work(user, task, "complete")
    if task.state != UserTaskState.OPEN:
        raise TaskNotOpenError(f"Expected to work on user task {task.pk}, but it is {task.state}")
    username = _username(user)
    if task.delegation_state == DelegationState.PENDING:
        raise TaskDelegatedError(
            f"Expected to complete user task {task.pk}, but it is delegated: "
            "its delegate resolves it instead"
        )
    if task.assignee != username and not (claim and not task.assignee):
        raise TaskNotAssignedError(
            f"Expected {username} to hold user task {task.pk} before completing it, "
            f"but {task.assignee or 'nobody'} holds it"
        )


@command(optimistic=True)
def complete_user_task(
    *,
    task_id: int,
    user: Any,
    variables: dict[str, Any] | None = None,
    local_variables: dict[str, Any] | None = None,
    claim: bool = False,
    now: datetime | None = None,
) -> UserTask:
    """Complete the task held by ``user`` and run the instance to its next wait states.

    With ``claim`` an unclaimed task is claimed by ``user`` first, in the same transaction."""
    work = UnitOfWork(now=now or timezone.now(), actor=_username(user), user=user)
    task = _locked_open_task(task_id, user, work)
    require_completable(user, task, claim=claim)
    username = _username(user)
    if claim and not task.assignee:
        task.assignee = username
        task.save(update_fields=["assignee"])
    work.send(
        task.instance_id,
        tr.CompleteUserTask(
            wait_id=task.wait_id,
            variables=variables or {},
            local_variables=local_variables or {},
            completed_by=username,
        ),
    )
    work.run()
    # What the completion wrote to the row (projections._user_task_completed).
    task.state, task.completed_at, task.completed_by = UserTaskState.COMPLETED, work.now, username
    return task


@command
def delegate_user_task(*, task_id: int, user: Any, delegate_to: str) -> UserTask:
    """Hand the task to ``delegate_to`` for now (Camunda delegation): the holder becomes
    the owner unless it has one, the delegate the assignee, the state ``pending``."""
    task = _locked_open_task(task_id, user)
    permissions.require_task_delegate(user, task)
    permissions.require_assignable(delegate_to, task_id)
    task.owner = task.owner or task.assignee or _username(user)
    task.assignee = delegate_to
    task.delegation_state = DelegationState.PENDING
    task.save(update_fields=["owner", "assignee", "delegation_state"])
    _audit_task(task, AuditEventType.TASK_DELEGATED, user, owner=task.owner, assignee=delegate_to)
    return task


@command
def resolve_user_task(*, task_id: int, user: Any) -> UserTask:
    """The delegate hands the task back to its owner (state ``resolved``)."""
    task = _locked_open_task(task_id, user)
    permissions.require_task_work(user, task, "resolve")
    username = _username(user)
    if task.delegation_state != DelegationState.PENDING or (user and task.assignee != username):
        raise TaskNotAssignedError(
            f"Expected {username or 'the engine'} to hold delegated user task {task_id} "
            f"before resolving it, but {task.assignee or 'nobody'} holds it "
            f"({task.delegation_state or 'not delegated'})"
        )
    task.assignee = task.owner
    task.delegation_state = DelegationState.RESOLVED
    task.save(update_fields=["assignee", "delegation_state"])
    _audit_task(task, AuditEventType.TASK_RESOLVED, user, assignee=task.assignee)
    return task


@command
def assign_user_task(*, task_id: int, user: Any, assignee: str) -> UserTask:
    """Set the assignee outright (admins and process developers); ``""`` clears it."""
    task = _locked_open_task(task_id, user)
    permissions.require_task_manage(user, task, "assign")
    if assignee:
        permissions.require_assignable(assignee, task_id)
    previous, task.assignee = task.assignee, assignee
    task.save(update_fields=["assignee"])
    _audit_task(
        task, AuditEventType.TASK_ASSIGNED, user, assignee=assignee, previous_assignee=previous
    )
    return task


@command
def comment_on_user_task(
    *, task_id: int, user: Any, text: str, now: datetime | None = None
) -> TaskComment:
    """Add a comment to a task the user may work on (open or not)."""
    task = UserTask.objects.filter(pk=task_id).first()
    if task is None:
        raise NotFoundError(f"Expected to find user task {task_id}, but it does not exist")
    permissions.require_task_work(user, task, "comment on")
    comment = TaskComment.objects.create(
        task=task,
        author=user,
        author_name=_username(user) or "engine",
        text=text.strip()[:4000],
        created_at=now or timezone.now(),
    )
    _audit_task(task, AuditEventType.TASK_COMMENTED, user, comment_id=comment.pk, text=comment.text)
    return comment
