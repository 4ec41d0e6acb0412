"""Claiming, releasing and completing user tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine.audit import record
from bpmn_engine.errors import (
    NotFoundError,
    TaskAlreadyClaimedError,
    TaskNotAssignedError,
    TaskNotOpenError,
)
from bpmn_engine.models import UserTask
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import UserTaskState
from bpmn_engine.persistence import store
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork


def _username(user: Any) -> str:
    return user.get_username() if hasattr(user, "get_username") else str(user)


def _locked_open_task(task_id: int, work: UnitOfWork | None = None) -> UserTask:
    """Lock the task's instance (the engine's unit of serialisation), then the task.

    With a unit of work the instance is locked and loaded through it, once."""
    instance_id = UserTask.objects.filter(pk=task_id).values_list("instance_id", flat=True).first()
    if instance_id is None:
        raise NotFoundError(f"Expected to find user task {task_id}, but it does not exist")
    if work is not None:
        instance = work.instance(instance_id).row
    else:
        instance = store.lock_instance(instance_id)
    task = UserTask.objects.select_for_update().get(pk=task_id)
    task.instance = instance
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
    task = _locked_open_task(task_id)
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
    task = _locked_open_task(task_id)
    if task.assignee and task.assignee != _username(user):
        raise TaskAlreadyClaimedError(
            f"Expected to release user task {task_id}, but {task.assignee} holds it"
        )
    previous, task.assignee = task.assignee, ""
    task.save(update_fields=["assignee"])
    _audit_task(task, AuditEventType.TASK_UNCLAIMED, user, previous_assignee=previous)
    return task


@command
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
    task = _locked_open_task(task_id, work)
    username = _username(user)
    if claim and not task.assignee:
        task.assignee = username
        task.save(update_fields=["assignee"])
    if task.assignee != username:
        raise TaskNotAssignedError(
            f"Expected {username} to hold user task {task_id} before completing it, "
            f"but {task.assignee or 'nobody'} holds it"
        )
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
    task.refresh_from_db()
    return task


@command
def assign_user_task(*, task_id: int, user: Any, assignee: str) -> UserTask:
    """Set (or with ``""`` clear) the assignee, whoever holds the task now."""
    task = _locked_open_task(task_id)
    previous, task.assignee = task.assignee, assignee
    task.save(update_fields=["assignee"])
    _audit_task(
        task, AuditEventType.TASK_ASSIGNED, user, assignee=assignee, previous_assignee=previous
    )
    return task
