"""Rows <-> runtime state: lock an instance, load its state, write it back guarded by
the version column, and keep the token and variable projections in step. Callers (the
services) own the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, Subquery

from bpmn_engine.bpmn.model import Definitions, Process
from bpmn_engine.errors import ConcurrentModificationError, NotFoundError
from bpmn_engine.models import ProcessInstance, TokenRow, VariableRow
from bpmn_engine.models.instances import InstanceStatus
from bpmn_engine.persistence.definitions_cache import definitions_for
from bpmn_engine.runtime import InstanceState

ENDED_STATUSES = {
    "completed": InstanceStatus.COMPLETED,
    "terminated": InstanceStatus.TERMINATED,
    "cancelled": InstanceStatus.CANCELLED,
}


@dataclass
class LoadedInstance:
    """A locked instance row with its state and model, valid inside one transaction.

    ``tokens``/``scopes`` record what the projections hold, so ``save`` writes only the
    difference (a new instance starts with both empty)."""

    row: ProcessInstance
    state: InstanceState
    process: Process
    definitions: Definitions
    tokens: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=set)


def lock_instance(instance_id: int) -> ProcessInstance:
    """Lock the instance row (``SELECT ... FOR UPDATE``) together with its parent.

    A parent is always created before its children, so ``ORDER BY pk`` locks ancestors
    first and call-activity chains do not deadlock. One statement locks the instance and
    its parent; a grandparent (nested call activities) is locked by a second statement,
    after the child: a rare deadlock there is detected by PostgreSQL and the command
    retried. The definition row is read, not locked (``of=("self",)``).
    """
    # ``pk = (scalar subquery)`` keeps both sides on the primary key index; ``pk IN
    # (subquery)`` under an OR made PostgreSQL scan the table.
    parent = Subquery(
        ProcessInstance.objects.filter(pk=instance_id).order_by().values("parent_id")[:1]
    )
    rows = {
        row.pk: row
        for row in ProcessInstance.objects.select_for_update(of=("self",))
        .select_related("definition")
        .filter(Q(pk=instance_id) | Q(pk=parent))
        .order_by("pk")
    }
    if instance_id not in rows:
        raise NotFoundError(
            f"Expected to find process instance {instance_id}, but it does not exist"
        )
    grandparent = next((r.parent_id for pk, r in rows.items() if pk != instance_id), None)
    if grandparent is not None:
        list(
            ProcessInstance.objects.select_for_update(of=("self",))
            .filter(pk__in=_ancestors(grandparent))
            .order_by("pk")
            .values_list("pk")
        )
    return rows[instance_id]


def _ancestors(instance_id: int) -> list[int]:
    chain: list[int] = []
    current: int | None = instance_id
    while current is not None:
        chain.append(current)
        current = (
            ProcessInstance.objects.filter(pk=current).values_list("parent_id", flat=True).first()
        )
    return chain


def load(row: ProcessInstance) -> LoadedInstance:
    definitions = definitions_for(row.definition)
    state = InstanceState.from_dict(row.state)
    return LoadedInstance(
        row=row,
        state=state,
        process=definitions.process(row.definition.key),
        definitions=definitions,
        tokens=_token_rows(state),
        scopes=set(state.scopes),
    )


def _token_rows(state: InstanceState) -> dict[str, tuple[str, str, str]]:
    return {t.id: (t.node_id, t.scope_id, str(t.state)) for t in state.tokens.values()}


def save(loaded: LoadedInstance, *, now: datetime) -> None:
    """Write the state back (version + 1) and bring the projections up to date."""
    row, state = loaded.row, loaded.state
    status = ENDED_STATUSES.get(state.status, InstanceStatus.ACTIVE)
    ended_at = now if status != InstanceStatus.ACTIVE and row.ended_at is None else row.ended_at
    updated = ProcessInstance.objects.filter(pk=row.pk, version=row.version).update(
        state=state.to_dict(),
        version=row.version + 1,
        status=status,
        ended_at=ended_at,
    )
    if updated != 1:
        raise ConcurrentModificationError(
            f"Expected to update process instance {row.pk} at version {row.version}, "
            "but another command changed it"
        )
    row.version += 1
    row.status = status
    row.ended_at = ended_at
    _write_tokens(loaded)
    ended_scopes = loaded.scopes - set(state.scopes)
    if ended_scopes:
        VariableRow.objects.filter(instance=row, scope_id__in=ended_scopes).delete()
    loaded.scopes = set(state.scopes)


def _write_tokens(loaded: LoadedInstance) -> None:
    """Delete, update and insert only the token rows that changed in this step."""
    before, after = loaded.tokens, _token_rows(loaded.state)
    row = loaded.row
    gone = [token_id for token_id in before if token_id not in after]
    if gone:
        TokenRow.objects.filter(instance=row, token_id__in=gone).delete()
    for token_id, (node_id, scope_id, state) in after.items():
        if token_id in before and before[token_id] != (node_id, scope_id, state):
            TokenRow.objects.filter(instance=row, token_id=token_id).update(
                node_id=node_id, scope_id=scope_id, state=state
            )
    added = [
        TokenRow(instance=row, token_id=token_id, node_id=n, scope_id=s, state=st)
        for token_id, (n, s, st) in after.items()
        if token_id not in before
    ]
    if added:
        TokenRow.objects.bulk_create(added)
    loaded.tokens = after
