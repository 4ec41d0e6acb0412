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
from bpmn_engine.persistence.state_parts import (
    CACHE,
    SPLIT_AT,
    Cached,
    Split,
    encoded_size,
    entry_count,
    head,
    is_split,
    load_split,
    split_now,
    write_parts,
)
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
    difference (a new instance starts with both empty); ``split`` is set for a state
    stored in parts (``state_parts``)."""

    row: ProcessInstance
    state: InstanceState
    process: Process
    definitions: Definitions
    tokens: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=set)
    split: Split | None = None


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
    """The locked row's state: a split one from this process's cache when the row's
    version confirms it, else decoded from the row (and its parts)."""
    definitions = definitions_for(row.definition)
    process = definitions.process(row.definition.key)
    if is_split(row.state):
        cached = CACHE.take(row.pk, row.version)
        if cached is not None:
            return LoadedInstance(
                row, cached.state, process, definitions, cached.tokens, cached.scopes, cached.split
            )
        state, split = load_split(row)
    else:
        state, split = InstanceState.from_dict(row.state), None
    return LoadedInstance(
        row=row,
        state=state,
        process=process,
        definitions=definitions,
        tokens=_token_rows(state),
        scopes=set(state.scopes),
        split=split,
    )


def _token_rows(state: InstanceState) -> dict[str, tuple[str, str, str]]:
    return {t.id: (t.node_id, t.scope_id, str(t.state)) for t in dict.values(state.tokens)}


def save(loaded: LoadedInstance, *, now: datetime) -> int | None:
    """Write the state back (version + 1) and bring the projections up to date. Returns
    the stored bytes of a split state (kept as a running sum), None for a whole one."""
    row, state = loaded.row, loaded.state
    if loaded.split is None and entry_count(state) > SPLIT_AT:
        loaded.split = split_now(row, state)
    split = loaded.split
    value = head(state) if split is not None else state.to_dict()
    status = ENDED_STATUSES.get(state.status, InstanceStatus.ACTIVE)
    ended_at = now if status != InstanceStatus.ACTIVE and row.ended_at is None else row.ended_at
    updated = ProcessInstance.objects.filter(pk=row.pk, version=row.version).update(
        state=value,
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
    row.state = value
    if split is None:
        _write_tokens(loaded, [*loaded.tokens, *dict.keys(state.tokens)])
        _drop_scope_variables(loaded, loaded.scopes | set(state.scopes))
        return None
    touched_scopes = set(split.touched["scopes"])
    _write_tokens(loaded, sorted(split.touched["tokens"], key=lambda i: (len(i), i)))
    write_parts(row, state, split)
    _drop_scope_variables(loaded, touched_scopes)
    split.head_bytes = encoded_size(value)
    CACHE.put_on_commit(row.pk, Cached(row.version, state, split, loaded.tokens, loaded.scopes))
    return split.total


def _drop_scope_variables(loaded: LoadedInstance, candidates: set[str]) -> None:
    """Delete the variable rows of scopes (among ``candidates``) that ended."""
    scopes = loaded.state.scopes
    ended = {s for s in candidates if s in loaded.scopes and s not in scopes}
    if ended:
        VariableRow.objects.filter(instance=loaded.row, scope_id__in=ended).delete()
    loaded.scopes -= ended
    loaded.scopes.update(s for s in candidates if s in scopes)


def _write_tokens(loaded: LoadedInstance, candidates: list[str]) -> None:
    """Delete, update and insert only the token rows that changed among ``candidates``
    (every token, or the ones a split state noted as touched)."""
    before, tokens, row = loaded.tokens, loaded.state.tokens, loaded.row
    gone: list[str] = []
    added: list[TokenRow] = []
    seen: set[str] = set()
    for token_id in candidates:
        if token_id in seen:
            continue
        seen.add(token_id)
        token = dict.get(tokens, token_id)
        old = before.get(token_id)
        if token is None:
            if old is not None:
                gone.append(token_id)
                del before[token_id]
            continue
        new = (token.node_id, token.scope_id, str(token.state))
        if old is None:
            added.append(
                TokenRow(
                    instance=row, token_id=token_id, node_id=new[0], scope_id=new[1], state=new[2]
                )
            )
        elif old != new:
            TokenRow.objects.filter(instance=row, token_id=token_id).update(
                node_id=new[0], scope_id=new[1], state=new[2]
            )
        before[token_id] = new
    if gone:
        TokenRow.objects.filter(instance=row, token_id__in=gone).delete()
    if added:
        TokenRow.objects.bulk_create(added)
