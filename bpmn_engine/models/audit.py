"""Audit events: an append-only, hash-chained record of who did what, when, with which data.

Rows are only ever inserted (``bpmn_engine.audit.writer``); the model and its queryset
refuse updates and deletes, and database triggers refuse them too (``audit.triggers``). Instance and
definition are plain ids, not foreign keys: the record outlives the rows it describes
(history cleanup removes instances, never their audit trail).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.db.models import Q

from bpmn_engine.errors import EngineError


class AuditEventImmutableError(EngineError):
    """An audit event was about to be changed or deleted."""

    code = "audit-immutable"


def _refuse(action: str) -> NoReturn:
    raise AuditEventImmutableError(
        f"Expected audit events to be append-only, but something tried to {action} one"
    )


class ActorKind(models.TextChoices):
    USER = "user"
    WORKER = "worker"
    SYSTEM = "system"


class AuditEventType(models.TextChoices):
    """The registry of everything the audit trail records (``<subject>.<verb>``)."""

    DEPLOYMENT_CREATED = "deployment.created"
    INSTANCE_STARTED = "instance.started"
    INSTANCE_COMPLETED = "instance.completed"
    INSTANCE_TERMINATED = "instance.terminated"
    INSTANCE_CANCELLED = "instance.cancelled"
    INSTANCE_SUSPENDED = "instance.suspended"
    INSTANCE_RESUMED = "instance.resumed"
    INSTANCE_MODIFIED = "instance.modified"  # an operator moved a token
    VARIABLES_CORRECTED = "variables.corrected"  # an operator changed variables, with reason
    INCIDENT_RETRIED = "incident.retried"
    ACTIVITY_STARTED = "activity.started"
    ACTIVITY_COMPLETED = "activity.completed"
    ACTIVITY_CANCELLED = "activity.cancelled"
    VARIABLE_CREATED = "variable.created"
    VARIABLE_UPDATED = "variable.updated"
    TASK_CREATED = "task.created"
    TASK_CLAIMED = "task.claimed"
    TASK_UNCLAIMED = "task.unclaimed"
    TASK_ASSIGNED = "task.assigned"
    TASK_DELEGATED = "task.delegated"
    TASK_RESOLVED = "task.resolved"
    TASK_COMPLETED = "task.completed"
    TASK_CANCELLED = "task.cancelled"
    TASK_COMMENTED = "task.commented"
    MESSAGE_CORRELATED = "message.correlated"
    SIGNAL_RECEIVED = "signal.received"
    SIGNAL_BROADCAST = "signal.broadcast"
    TIMER_FIRED = "timer.fired"
    JOB_CREATED = "job.created"
    JOB_LOCKED = "job.locked"
    JOB_COMPLETED = "job.completed"
    JOB_FAILED = "job.failed"
    JOB_ERROR_THROWN = "job.error_thrown"
    JOB_CANCELLED = "job.cancelled"
    EXTERNAL_TASK_LOCKED = "external_task.locked"
    EXTERNAL_TASK_UNLOCKED = "external_task.unlocked"
    EXTERNAL_TASK_LOCK_EXTENDED = "external_task.lock_extended"
    DECISION_EVALUATED = "decision.evaluated"
    INCIDENT_RAISED = "incident.raised"
    INCIDENT_RESOLVED = "incident.resolved"
    PERMISSION_GRANTED = "permission.granted"
    PERMISSION_REVOKED = "permission.revoked"
    AUDIT_EXPORTED = "audit.exported"
    AUDIT_ANCHORED = "audit.anchored"
    HISTORY_CLEANED = "history.cleaned"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update")


class AuditEvent(models.Model):
    """One recorded action. ``stream`` names its hash chain (``instance:<id>`` or
    ``system``), ``seq`` its place in it; ``hash`` = SHA-256 over ``prev_hash`` and the
    canonical JSON of the row (``bpmn_engine.audit.canonical``). ``data`` is stored as the
    canonical JSON text itself, so what is hashed is byte for byte what is stored."""

    id = models.BigAutoField(primary_key=True)
    stream = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    # Not indexed on their own: no query filters or sorts by ``occurred_at`` alone (the
    # actor index leads with ``actor_id``) or by ``definition_id`` (scopes filter the
    # instances); each index would cost a page write for every command's ~9 events.
    occurred_at = models.DateTimeField()
    event_type = models.CharField(max_length=40)  # an AuditEventType value
    actor_kind = models.CharField(max_length=8)  # an ActorKind value
    actor_id = models.CharField(max_length=150, blank=True, default="")
    # No index of its own: an instance's events are its stream's (``instance:<id>``),
    # read through the unique (stream, seq) index.
    instance_id = models.BigIntegerField(null=True, blank=True)
    definition_id = models.BigIntegerField(null=True, blank=True)
    element_id = models.CharField(max_length=255, blank=True, default="")
    data = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="unique_audit_stream_seq"),
        ]
        # Who acted where (``selectors.audit``): only events with an actor are entered.
        # The system's and the engine's own events (timers, jobs, a start by no one) have
        # none and are never looked up by actor; each would cost an index entry.
        indexes = [
            models.Index(
                fields=["actor_id", "occurred_at"],
                condition=~Q(actor_id=""),
                name="audit_actor_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.event_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("update")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")


class AuditChainHead(models.Model):
    """The last link of each stream: the row writers lock to extend a chain, and the
    check that the tail of a chain was not cut off."""

    stream = models.CharField(max_length=64, primary_key=True)
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.stream}@{self.seq}"


class AuditAnchoredHead(models.Model):
    """The head of each stream as the latest anchor recorded it: the anchorer's working
    table, so each anchor lists only the streams that moved since the one before. The
    proof lives in the ``anchor`` chain's events, not here (verify never trusts this)."""

    stream = models.CharField(max_length=64, primary_key=True)
    seq = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.stream}@{self.seq} anchored"
