"""Operator commands on a running instance: move a token (process instance modification)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine.errors import InstanceModificationError
from bpmn_engine.models import ProcessInstance
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.runtime.errors import ModificationError
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork


def _actor(user: Any) -> str:
    return user.get_username() if getattr(user, "pk", None) else ""


@command
def move_token(
    *,
    instance_id: int,
    from_node_id: str,
    to_node_id: str,
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
    return work.instance(instance_id).row
