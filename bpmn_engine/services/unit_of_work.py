"""One command's work across instances: advance, persist, then follow the effects that
reach other instances (signals, call activities, parents) inside the same transaction."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bpmn_engine.audit.effects import Before, StepEvents
from bpmn_engine.audit.writer import Actor, Entry, record_entries, stream_of
from bpmn_engine.errors import InstanceSuspendedError
from bpmn_engine.models import EventSubscription, ProcessDefinition, ProcessInstance
from bpmn_engine.models.work import SubscriptionKind
from bpmn_engine.persistence import deferred, store
from bpmn_engine.persistence.definitions_cache import definitions_for
from bpmn_engine.persistence.history import link_called_instance, record_activity_history
from bpmn_engine.persistence.projections import apply_effects
from bpmn_engine.runtime import InstanceState, advance, new_instance
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.runtime.errors import UnknownWaitError
from bpmn_engine.runtime.kinds import IncidentKind, WaitKind
from bpmn_engine.services.decisions import provider_for
from bpmn_engine.services.limits import check_state_size, command_budget, stored_size
from bpmn_engine.services.resolution import resolve_called_definition

# What a suspended instance still accepts: being cancelled and having variables changed.
SUSPENSION_EXEMPT = (tr.Cancel, tr.SetVariables)
# The effects ``UnitOfWork._follow`` acts on.
FOLLOWED_EFFECTS = (
    fx.SignalThrown,
    fx.CallActivityStarted,
    fx.CallActivityCancelled,
    fx.InstanceFailed,
    fx.InstanceEscalated,
    fx.InstanceCompleted,
)


@dataclass
class Pending:
    instance_id: int
    trigger: tr.Trigger
    tolerate_missing_wait: bool = False


class UnitOfWork:
    """Queue of (instance, trigger) pairs processed in order within one transaction.

    Instances are locked the first time they are touched (ancestors first) and stay
    loaded, so a follow-up on the same instance sees the state the previous step wrote.
    """

    def __init__(
        self, *, now: datetime, actor: str = "", user: Any = None, worker_id: str = ""
    ) -> None:
        self.now = now
        self.actor = actor
        self.user = user
        self.audit_actor = Actor.of(user=user, worker_id=worker_id, name=actor)
        self.audit: list[Entry] = []
        self.loaded: dict[int, store.LoadedInstance] = {}
        self.created: list[int] = []  # instances started by this unit of work
        self.stepped: set[int] = set()  # instances advanced by this unit of work
        self.queue: deque[Pending] = deque()
        self.budget = command_budget()

    # ------------------------------------------------------------------ entry points

    def start(
        self,
        definition: ProcessDefinition,
        *,
        variables: dict[str, Any] | None = None,
        business_key: str | None = None,
        start_event_id: str | None = None,
        parent: ProcessInstance | None = None,
        parent_wait_id: str = "",
        reserved_id: int | None = None,
    ) -> ProcessInstance:
        definitions = definitions_for(definition)
        process = definitions.process(definition.key)
        row, new = store.new_row(
            reserved_id,
            definition=definition,
            business_key=business_key,
            started_at=self.now,
            parent=parent,
            parent_wait_id=parent_wait_id,
            started_by=self.user if getattr(self.user, "pk", None) else None,
        )
        self.created.append(row.pk)
        state = new_instance(process, instance_id=str(row.pk), business_key=business_key)
        row.state = state.to_dict()
        self.loaded[row.pk] = store.LoadedInstance(
            row=row, state=state, process=process, definitions=definitions, new=new
        )
        self.send(
            row.pk,
            tr.StartInstance(
                variables=variables or {},
                start_event_id=start_event_id,
                initiator=self.actor or None,
            ),
        )
        return row

    def send(
        self, instance_id: int, trigger: tr.Trigger, *, tolerate_missing_wait: bool = False
    ) -> None:
        self.queue.append(Pending(instance_id, trigger, tolerate_missing_wait))

    def run(self) -> None:
        """Process the queue, then write the audit events of every step at once."""
        self.process()
        self.flush_audit()

    def process(self) -> None:
        """Process the queue; the audit events wait for ``run`` or ``flush_audit``."""
        while self.queue:
            self._step(self.queue.popleft())

    def flush_audit(self) -> None:
        if self.audit:
            entries, self.audit = self.audit, []
            # Instances started since the last flush have no chain head to read yet.
            fresh = frozenset(stream_of(pk) for pk in self.created)
            self.created = []
            record_entries(entries, fresh_streams=fresh)

    def instance(self, instance_id: int) -> store.LoadedInstance:
        loaded = self.loaded.get(instance_id)
        if loaded is None:
            loaded = store.load(store.lock_instance(instance_id))
            self.loaded[instance_id] = loaded
        return loaded

    def adopt(self, row: ProcessInstance) -> store.LoadedInstance:
        """Load an instance the caller has just locked (``store.lock_instance_of``)."""
        loaded = self.loaded.get(row.pk)
        if loaded is None:
            loaded = self.loaded[row.pk] = store.load(row)
        return loaded

    def lock_top_level(self, instance_ids: list[int]) -> None:
        """Lock and load many instances without a parent in one statement (ascending
        ids, the order every command locks in); the others lock one by one on first use."""
        wanted = [pk for pk in sorted(set(instance_ids)) if pk not in self.loaded]
        if not wanted:
            return
        for row in store.lock_top_level(wanted):
            self.loaded[row.pk] = store.load(row)

    def state(self, instance_id: int) -> InstanceState:
        return self.instance(instance_id).state

    # ------------------------------------------------------------------ internals

    def _step(self, pending: Pending) -> None:
        loaded = self.instance(pending.instance_id)
        if loaded.row.suspended and not isinstance(pending.trigger, SUSPENSION_EXEMPT):
            raise InstanceSuspendedError(
                f"Expected instance {loaded.row.pk} to be active, but it is suspended"
            )
        before = Before.capture(loaded.state, pending.trigger)
        try:
            step = advance(
                loaded.process,
                loaded.state,
                pending.trigger,
                self.now,
                definitions=loaded.definitions,
                budget=self.budget,
                decisions=provider_for(loaded.row.definition_id),
            )
        except UnknownWaitError:
            if pending.tolerate_missing_wait:
                return
            raise
        loaded.state = step.state
        self.stepped.add(loaded.row.pk)
        whole = None
        if loaded.split is None:
            whole = store.encode_whole(loaded.state)
            check_state_size(loaded.state, _last_node(step.effects), stored_size(*whole))
        with deferred.writing_for(loaded.row.pk):  # these write only this instance's rows
            stored_bytes = store.save(loaded, now=self.now, whole=whole)
            if stored_bytes is not None:  # a split state: its size is kept as a running sum
                check_state_size(loaded.state, _last_node(step.effects), stored_bytes)
            apply_effects(loaded.row, loaded.state, step.effects, self.now)
            record_activity_history(loaded.row, step.effects, actor=self.actor)
        self.audit.extend(
            StepEvents(
                instance_id=loaded.row.pk,
                definition_id=loaded.row.definition_id,
                actor=self.audit_actor,
                now=self.now,
                before=before,
                trigger=pending.trigger,
            ).build(step.effects)
        )
        self._follow(loaded.row, step.effects)

    def _follow(self, row: ProcessInstance, effects: list[fx.Effect]) -> None:
        failed = False
        for effect in effects:
            if not isinstance(effect, FOLLOWED_EFFECTS):  # most effects: one test, not seven
                continue
            if isinstance(effect, fx.SignalThrown):
                self.broadcast_signal(effect.signal_name, dict(effect.variables))
            elif isinstance(effect, fx.CallActivityStarted):
                self._start_called(row, effect)
            elif isinstance(effect, fx.CallActivityCancelled):
                for child in ProcessInstance.objects.filter(
                    parent=row, parent_wait_id=effect.wait_id, status="active"
                ).values_list("pk", flat=True):
                    self.send(child, tr.Cancel(reason="parent withdrew the call activity"))
            elif isinstance(effect, fx.InstanceFailed) and row.parent_id:
                failed = True
                self.send(
                    row.parent_id,
                    tr.FailCallActivity(
                        wait_id=row.parent_wait_id,
                        error_code=effect.error_code,
                        message=effect.message,
                        variables=dict(effect.variables),
                    ),
                    tolerate_missing_wait=True,
                )
            elif isinstance(effect, fx.InstanceFailed):
                self._stop_uncaught_call_error(row, effect)
            elif isinstance(effect, fx.InstanceEscalated) and row.parent_id:
                self.send(
                    row.parent_id,
                    tr.EscalateCallActivity(
                        wait_id=row.parent_wait_id,
                        escalation_code=effect.escalation_code,
                        variables=dict(effect.variables),
                    ),
                    tolerate_missing_wait=True,
                )
            elif isinstance(effect, fx.InstanceCompleted) and row.parent_id and not failed:
                self.send(
                    row.parent_id,
                    tr.CompleteCallActivity(
                        wait_id=row.parent_wait_id,
                        variables=dict(effect.variables),
                    ),
                    tolerate_missing_wait=True,
                )

    def _stop_uncaught_call_error(self, row: ProcessInstance, effect: fx.InstanceFailed) -> None:
        """A called process's error that nothing caught, up to the top instance, leaves
        its call activity waiting forever; make that an incident an operator can see
        (retrying it calls the process again)."""
        state = self.instance(row.pk).state
        for wait in state.waits.values():
            if wait.kind == WaitKind.CALL_ACTIVITY and wait.node_id == effect.node_id:
                self.send(
                    row.pk,
                    tr.ReportIncident(
                        wait_id=wait.id,
                        kind=IncidentKind.UNCAUGHT_ERROR,
                        message=(
                            f"Expected BPMN error '{effect.error_code}' from the process "
                            f"called by {effect.node_id} to be caught, but no error boundary "
                            "or event subprocess catches it"
                        ),
                    ),
                )
                return

    def _start_called(self, row: ProcessInstance, effect: fx.CallActivityStarted) -> None:
        definition, problem = resolve_called_definition(row.definition, effect)
        if definition is None:
            self.send(
                row.pk,
                tr.ReportIncident(
                    wait_id=effect.wait_id,
                    kind=IncidentKind.CALLED_ELEMENT,
                    message=problem,
                ),
            )
            return
        child = self.start(
            definition,
            variables=dict(effect.variables),
            business_key=effect.business_key,
            parent=row,
            parent_wait_id=effect.wait_id,
        )
        wait = self.state(row.pk).waits.get(effect.wait_id)
        if wait is not None:
            link_called_instance(row, token_id=wait.token_id, node_id=wait.node_id, called=child.pk)

    def broadcast_signal(self, signal_name: str, variables: dict[str, Any]) -> int:
        """Deliver a signal to every open subscription and start-event; returns how many."""
        delivered = 0
        subscriptions = (
            EventSubscription.objects.filter(kind=SubscriptionKind.SIGNAL, event_name=signal_name)
            .exclude(instance__suspended=True)
            .order_by("instance_id", "id")
            .values_list("instance_id", "definition_id", "wait_id", "node_id")
        )
        for instance_id, definition_id, wait_id, node_id in list(subscriptions):
            if instance_id is not None:
                self.send(
                    instance_id,
                    tr.TriggerSignal(wait_id=wait_id, variables=variables),
                    tolerate_missing_wait=True,
                )
            else:
                definition = ProcessDefinition.objects.get(pk=definition_id)
                self.start(definition, variables=variables, start_event_id=node_id)
            delivered += 1
        return delivered


def _last_node(effects: list[fx.Effect]) -> str:
    """The element the step touched last (where a state-size incident is recorded)."""
    for effect in reversed(effects):
        node_id = getattr(effect, "node_id", None)
        if node_id:
            return str(node_id)
    return ""
