"""Operator commands on a running instance: move a token (process instance
modification) and correct variables with a stated reason; both are audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine.audit import record
from bpmn_engine.errors import InstanceModificationError, ReasonRequiredError
from bpmn_engine.models import ProcessInstance
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.runtime.errors import ModificationError
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork


def _actor(user: Any) -> str:
    return user.get_username() if getattr(user, "pk", None) else ""


def _audit(
    event_type: str,
    row: ProcessInstance,
    user: Any,
    now: datetime,
    element_id: str = "",
    **data: Any,
) -> None:
    record(
        event_type,
        user=user,
        instance_id=row.pk,
        definition_id=row.definition_id,
        element_id=element_id,
        data=data,
        now=now,
    )


def _required(reason: str, action: str, instance_id: int) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError(
            f"Expected a reason to {action} instance {instance_id}, but none was given"
        )
    return reason


@command
def move_token(
    *,
    instance_id: int,
    from_node_id: str,
    to_node_id: str,
    reason: str = "",
    user: Any = None,
    now: datetime | None = None,
) -> ProcessInstance:
    """Cancel the tokens at ``from_node_id`` and start one before ``to_node_id``
    (process instance modification); what the source held is withdrawn with it."""
    work = UnitOfWork(now=now or timezone.now(), actor=_actor(user), user=user)
    work.send(instance_id, tr.MoveToken(from_node_id, to_node_id))
    try:
        work.run()
    except ModificationError as exc:
        raise InstanceModificationError(str(exc)) from exc
    row = work.instance(instance_id).row
    _audit(
        AuditEventType.INSTANCE_MODIFIED,
        row,
        user,
        work.now,
        to_node_id,
        cancelled=from_node_id,
        started_before=to_node_id,
        reason=reason,
    )
    return row


@command
def change_variables(
    *,
    instance_id: int,
    variables: dict[str, Any],
    reason: str,
    user: Any = None,
    now: datetime | None = None,
) -> ProcessInstance:
    """An operator's correction of process variables (root scope), with the reason."""
    reason = _required(reason, "change the variables of", instance_id)
    work = UnitOfWork(now=now or timezone.now(), actor=_actor(user), user=user)
    work.send(instance_id, tr.SetVariables(variables=variables))
    work.run()
    row = work.instance(instance_id).row
    _audit(
        AuditEventType.VARIABLES_CORRECTED,
        row,
        user,
        work.now,
        names=sorted(variables),
        reason=reason,
    )
    return row
