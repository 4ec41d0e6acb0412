"""Starting, cancelling and changing process instances."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine import permissions
from bpmn_engine.audit.writer import Actor, Entry, record_entries
from bpmn_engine.errors import DefinitionSuspendedError, InstanceStateError, NotFoundError
from bpmn_engine.jobs.dispatch import dispatch_after_commit
from bpmn_engine.models import Job, ProcessDefinition, ProcessInstance
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import JobState
from bpmn_engine.persistence import store
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.backpressure import check_backlog
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork


def _actor(user: Any) -> str:
    return user.get_username() if getattr(user, "pk", None) else ""


@command(optimistic=True)
def start_instance(
    *,
    definition_key: str | None = None,
    definition_id: int | None = None,
    variables: dict[str, Any] | None = None,
    business_key: str | None = None,
    start_event_id: str | None = None,
    user: Any = None,
    now: datetime | None = None,
) -> ProcessInstance:
    """Start an instance of the latest version of ``definition_key`` (or exactly
    ``definition_id``) and run it to its first wait states."""
    reserved_id = None
    if definition_id is not None:
        definition = ProcessDefinition.objects.filter(pk=definition_id).first()
        if definition is None:
            raise NotFoundError(
                f"Expected to find process definition {definition_id}, but it does not exist"
            )
    elif definition_key:
        definition, reserved_id = store.latest_definition(definition_key)
        if definition is None:
            raise NotFoundError(
                f"Expected to find process definition '{definition_key}', but none is deployed"
            )
    else:
        raise NotFoundError("Expected a definition key or id to start, but got neither")
    permissions.require_start(user, definition)
    check_backlog()
    if definition.suspended:
        raise DefinitionSuspendedError(
            f"Expected to start definition {definition}, but it is suspended"
        )
    work = UnitOfWork(now=now or timezone.now(), actor=_actor(user), user=user)
    row = work.start(
        definition,
        variables=variables,
        business_key=business_key,
        start_event_id=start_event_id,
        reserved_id=reserved_id,
    )
    work.run()
    return row


@command
def cancel_instance(
    *, instance_id: int, reason: str | None = None, user: Any = None, now: datetime | None = None
) -> ProcessInstance:
    """Cancel the instance: every wait is withdrawn, called children are cancelled too."""
    work = UnitOfWork(now=now or timezone.now(), actor=_actor(user), user=user)
    work.send(instance_id, tr.Cancel(reason=reason))
    work.run()
    return work.instance(instance_id).row


@command
def set_variables(
    *,
    instance_id: int,
    variables: dict[str, Any],
    scope_id: str | None = None,
    user: Any = None,
    now: datetime | None = None,
) -> ProcessInstance:
    work = UnitOfWork(now=now or timezone.now(), actor=_actor(user), user=user)
    work.send(instance_id, tr.SetVariables(variables=variables, scope_id=scope_id))
    work.run()
    return work.instance(instance_id).row


def _descendants(instance_id: int) -> list[int]:
    """Active called instances below ``instance_id``, parents before children."""
    found, frontier = [], [instance_id]
    while frontier:
        children = list(
            ProcessInstance.objects.filter(parent_id__in=frontier, status="active")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        found += children
        frontier = children
    return found


def _set_suspended(instance_id: int, *, suspended: bool, user: Any = None) -> ProcessInstance:
    row = store.lock_instance(instance_id)
    if row.status != "active":
        raise InstanceStateError(
            f"Expected instance {instance_id} to be active, but it is {row.status}"
        )
    if row.suspended == suspended:
        return row
    family = [instance_id, *_descendants(instance_id)]
    for pk in family[1:]:
        store.lock_instance(pk)
    ProcessInstance.objects.filter(pk__in=family).update(suspended=suspended)
    row.suspended = suspended
    event = AuditEventType.INSTANCE_SUSPENDED if suspended else AuditEventType.INSTANCE_RESUMED
    actor = Actor.of(user=user)
    record_entries(
        Entry(event, actor, timezone.now(), pk, data={"requested_on": instance_id}) for pk in family
    )
    return row


@command
def suspend_instance(*, instance_id: int, user: Any = None) -> ProcessInstance:
    """Suspend an active instance and the instances it called: no task completes, no job
    or external task is handed out, no message, signal or timer moves it until resumed.
    Cancelling and changing variables still work. Suspending twice is a no-op."""
    return _set_suspended(instance_id, suspended=True, user=user)


@command
def resume_instance(*, instance_id: int, user: Any = None) -> ProcessInstance:
    """Resume a suspended instance (and its called instances); jobs held back run again."""
    row = _set_suspended(instance_id, suspended=False, user=user)
    family = [instance_id, *_descendants(instance_id)]
    for job_id, job_type in Job.objects.filter(
        instance_id__in=family, state=JobState.PENDING, external=False
    ).values_list("pk", "job_type"):
        dispatch_after_commit(job_id, job_type)
    return row
