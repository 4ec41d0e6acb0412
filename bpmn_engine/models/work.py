"""Rows for the work an instance waits on: user tasks, jobs, timers, subscriptions,
and the incidents that stop it. Each row names its instance and the runtime ``wait_id``."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from bpmn_engine.models.definitions import ProcessDefinition
from bpmn_engine.models.instances import ProcessInstance
from bpmn_engine.runtime.kinds import SubscriptionKind, choices


class UserTaskState(models.TextChoices):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DelegationState(models.TextChoices):
    """Camunda's delegation: ``pending`` while the delegate works, ``resolved`` after."""

    NONE = "", "not delegated"
    PENDING = "pending"
    RESOLVED = "resolved"


class UserTask(models.Model):
    """A human task. ``assignee`` is the user who holds (claimed or was assigned) it;
    ``owner`` is who delegated it and gets it back on resolve."""

    # Indexed by the unique (instance, wait_id) constraint.
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="user_tasks", db_index=False
    )
    wait_id = models.CharField(max_length=32)
    node_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True, default="")
    # No index of its own; the inbox's partial indexes on open tasks (below) name it in
    # their condition, so completing a task is not a HOT update on PostgreSQL.
    state = models.CharField(
        max_length=16, choices=UserTaskState.choices, default=UserTaskState.OPEN
    )
    assignee = models.CharField(max_length=150, blank=True, default="")
    owner = models.CharField(max_length=150, blank=True, default="")
    delegation_state = models.CharField(
        max_length=16, choices=DelegationState.choices, blank=True, default=DelegationState.NONE
    )
    priority = models.IntegerField(default=50)
    due_at = models.DateTimeField(null=True, blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    form_key = models.CharField(max_length=255, blank=True, default="")
    form_ref = models.CharField(max_length=255, blank=True, default="")
    form_fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        ordering = ["-priority", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "wait_id"], name="unique_user_task_wait"),
        ]
        # The inbox pages walk open tasks in their sort order and stop after one page
        # (bench/bench_inbox.py); completed tasks stay out of these partial indexes.
        indexes = [
            models.Index(fields=["assignee"], name="user_task_assignee"),
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(state="open"),
                name="usertask_open_created_idx",
            ),
            models.Index(
                "assignee",
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(state="open"),
                name="usertask_open_assignee_idx",
            ),
            models.Index(
                # ascending is NULLS LAST on PostgreSQL: tasks without a due date last
                fields=["due_at", "id"],
                condition=Q(state="open"),
                name="usertask_open_due_idx",
            ),
            models.Index(
                F("priority").desc(),
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(state="open"),
                name="usertask_open_priority_idx",
            ),
        ]
        permissions = [("work_on_usertask", "Can see and work on the user task")]

    def __str__(self) -> str:
        return self.name or self.node_id


class CandidateKind(models.TextChoices):
    USER = "user"
    GROUP = "group"


class UserTaskCandidate(models.Model):
    """A candidate user or group of a user task (one row each, so inbox queries index)."""

    user_task = models.ForeignKey(UserTask, on_delete=models.CASCADE, related_name="candidates")
    kind = models.CharField(max_length=8, choices=CandidateKind.choices)
    identity = models.CharField(max_length=150)

    class Meta:
        # covering: "the tasks of these groups" is read from the index alone
        indexes = [
            models.Index(
                fields=["kind", "identity", "user_task"], name="candidate_identity_task_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.identity}"


class JobState(models.TextChoices):
    PENDING = "pending"
    LOCKED = "locked"
    COMPLETED = "completed"
    FAILED = "failed"  # retries exhausted: an incident holds it
    CANCELLED = "cancelled"


class Job(models.Model):
    """Work for a handler or an external worker (transactional outbox row)."""

    # Found by the (instance, wait_id) unique index; no index of its own.
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="jobs", db_index=False
    )
    wait_id = models.CharField(max_length=32)
    node_id = models.CharField(max_length=255)
    job_type = models.CharField(max_length=255)
    external = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.PENDING)
    retries = models.IntegerField(default=3)
    retry_time_cycle = models.CharField(max_length=255, blank=True, default="")
    priority = models.IntegerField(default=0)
    headers = models.JSONField(default=dict, blank=True)
    implementation = models.CharField(max_length=32, default="type")
    result_variable = models.CharField(max_length=255, blank=True, default="")
    idempotency_key = models.CharField(max_length=128, unique=True)
    due_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    lock_owner = models.CharField(max_length=255, blank=True, default="")
    lock_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "wait_id"], name="unique_job_wait"),
        ]
        indexes = [
            # Every query that is not by id or instance asks for jobs in a state, oldest
            # due first: leasing and taking along, the sweeper, external fetches, lists.
            models.Index(fields=["state", "due_at", "id"], name="job_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.job_type} ({self.state})"


class TimerState(models.TextChoices):
    SCHEDULED = "scheduled"
    FIRED = "fired"
    CANCELLED = "cancelled"


class Timer(models.Model):
    """A timer with a due time; costs nothing until due. Start-event timers have no
    instance and name their definition instead."""

    instance = models.ForeignKey(
        ProcessInstance, null=True, blank=True, on_delete=models.CASCADE, related_name="timers"
    )
    definition = models.ForeignKey(
        ProcessDefinition, null=True, blank=True, on_delete=models.CASCADE, related_name="timers"
    )
    wait_id = models.CharField(max_length=32)
    node_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=16)
    expression = models.CharField(max_length=1024)
    due_at = models.DateTimeField()
    fired_count = models.PositiveIntegerField(default=0)
    repetitions_left = models.IntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=16, choices=TimerState.choices, default=TimerState.SCHEDULED
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The poller's order, on scheduled timers only: a claim reads the batch it
            # takes and stops (no sort of every due timer), and a fired timer leaves it.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(state="scheduled"),
                name="timer_scheduled_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_id} at {self.due_at:%Y-%m-%d %H:%M:%S}"


class EventSubscription(models.Model):
    """An open message or signal subscription of an instance, or of a definition's
    start event (``instance`` empty)."""

    kind = models.CharField(max_length=8, choices=choices(SubscriptionKind))
    event_name = models.CharField(max_length=255)
    correlation_key = models.CharField(max_length=255, blank=True, null=True)  # noqa: DJ001
    instance = models.ForeignKey(
        ProcessInstance,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    definition = models.ForeignKey(
        ProcessDefinition,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    wait_id = models.CharField(max_length=32, blank=True, default="")
    node_id = models.CharField(max_length=255)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["kind", "event_name"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_name}"


class IncidentState(models.TextChoices):
    OPEN = "open"
    RESOLVED = "resolved"


class Incident(models.Model):
    """A point where an instance stopped and needs an operator."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="incident_rows"
    )
    incident_id = models.CharField(max_length=32, blank=True, default="")
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    node_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=64)  # an IncidentKind
    message = models.TextField()
    details = models.TextField(blank=True, default="")
    state = models.CharField(
        max_length=16, choices=IncidentState.choices, default=IncidentState.OPEN, db_index=True
    )
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.node_id}"


class BreakerState(models.TextChoices):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker(models.Model):
    """Per handler type: after N consecutive failures jobs of the type wait (without
    burning retries) until a cool-down passes, then one probe job decides."""

    job_type = models.CharField(max_length=255, unique=True)
    state = models.CharField(
        max_length=16, choices=BreakerState.choices, default=BreakerState.CLOSED
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    probe_job_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.job_type}: {self.state}"
