"""Rows <-> runtime state: lock an instance, load its state, write it back guarded by
the version column. Callers (the services) own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bpmn_engine.bpmn.model import Definitions, Process
from bpmn_engine.definitions_cache import definitions_for
from bpmn_engine.errors import ConcurrentModificationError, NotFoundError
from bpmn_engine.models import ProcessInstance, TokenRow
from bpmn_engine.models.instances import InstanceStatus
from bpmn_engine.runtime import InstanceState

ENDED_STATUSES = {
    "completed": InstanceStatus.COMPLETED,
    "terminated": InstanceStatus.TERMINATED,
    "cancelled": InstanceStatus.CANCELLED,
}


@dataclass
class LoadedInstance:
    """A locked instance row with its state and model, valid inside one transaction."""

    row: ProcessInstance
    state: InstanceState
    process: Process
    definitions: Definitions


def lock_instance(instance_id: int) -> ProcessInstance:
    """Lock the instance row (``SELECT ... FOR UPDATE``), its ancestors first.

    Locking parent before child everywhere keeps call-activity chains deadlock-free.
    """
    chain: list[int] = []
    current: int | None = instance_id
    while current is not None:
        chain.append(current)
        current = ProcessInstance.objects.filter(pk=current).values_list(
            "parent_id", flat=True
        ).first()
    locked = {
        row.pk: row
        for row in ProcessInstance.objects.select_for_update()
        .select_related("definition")
        .filter(pk__in=chain)
        .order_by("pk")
    }
    if instance_id not in locked:
        raise NotFoundError(
            f"Expected to find process instance {instance_id}, but it does not exist"
        )
    return locked[instance_id]


def load(row: ProcessInstance) -> LoadedInstance:
    definitions = definitions_for(row.definition)
    return LoadedInstance(row=row, state=InstanceState.from_dict(row.state),
                          process=definitions.process(row.definition.key),
                          definitions=definitions)


def save(loaded: LoadedInstance, *, now: datetime) -> None:
    """Write the state back (version + 1) and rewrite the token projection."""
    row, state = loaded.row, loaded.state
    status = ENDED_STATUSES.get(state.status, InstanceStatus.ACTIVE)
    ended_at = now if status != InstanceStatus.ACTIVE and row.ended_at is None else row.ended_at
    updated = ProcessInstance.objects.filter(pk=row.pk, version=row.version).update(
        state=state.to_dict(), version=row.version + 1, status=status, ended_at=ended_at,
    )
    if updated != 1:
        raise ConcurrentModificationError(
            f"Expected to update process instance {row.pk} at version {row.version}, "
            "but another command changed it"
        )
    row.version += 1
    row.status = status
    row.ended_at = ended_at
    TokenRow.objects.filter(instance=row).delete()
    TokenRow.objects.bulk_create(
        TokenRow(instance=row, token_id=t.id, node_id=t.node_id, scope_id=t.scope_id,
                 state=str(t.state))
        for t in state.tokens.values()
    )
