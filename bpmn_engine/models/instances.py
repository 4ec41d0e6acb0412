"""Process instances with their runtime state, plus token and variable projections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from bpmn_engine.models.definitions import ProcessDefinition
from bpmn_engine.models.encoding import ExactJSONEncoder


class InstanceStatus(models.TextChoices):
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    CANCELLED = "cancelled"


class ProcessInstance(models.Model):
    """A running (or ended) case. ``state`` is the runtime's ``InstanceState.to_dict()``,
    or for a large instance its head only (``"split": true``), its tokens, scopes, waits
    and incidents being ``InstanceStatePart`` rows (see ``persistence.state_parts``);
    ``version`` increments on every command and guards against lost updates."""

    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="instances"
    )
    # None means "no business key"; an empty string is a key of its own.
    business_key = models.CharField(max_length=255, blank=True, null=True)  # noqa: DJ001
    status = models.CharField(
        max_length=16, choices=InstanceStatus.choices, default=InstanceStatus.ACTIVE
    )
    state = models.JSONField(default=dict, encoder=ExactJSONEncoder)
    # An active instance can be suspended: no trigger moves it until it is resumed.
    suspended = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,  # a partial index below: only the rows that have one
    )
    parent_wait_id = models.CharField(max_length=64, blank=True, default="")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index below: only the rows that have one
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        # Plain B-tree indexes: ``db_index`` on a CharField also builds a ``LIKE`` index
        # on PostgreSQL that no query uses, and every insert pays for it. The nullable
        # columns are indexed only where they have a value: every query on them compares
        # with a value (``=``, ``IN``: both databases use the partial index for it), and
        # most instances have no parent, no business key or no starting user, whose
        # index entries every start would otherwise write (docs/benchmarks.md).
        indexes = [
            models.Index(
                fields=["business_key"],
                condition=Q(business_key__isnull=False),
                name="instance_business_key",
            ),
            models.Index(fields=["status"], name="instance_status"),
            models.Index(
                fields=["parent"], condition=Q(parent__isnull=False), name="instance_parent"
            ),
            models.Index(
                fields=["started_by"],
                condition=Q(started_by__isnull=False),
                name="instance_started_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id}/{self.pk}"


class InstanceStatePart(models.Model):
    """One token, scope, wait or incident of a split instance state: ``key`` is
    ``<kind letter>:<id>`` (``t:t-7``, ``s:root``, ``w:w-3``, ``i:i-1``), ``data`` its
    ``to_dict()``. Written only when a command touched it."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="state_parts"
    )
    key = models.CharField(max_length=40)
    data = models.JSONField(encoder=ExactJSONEncoder)
    # bytes of ``data`` as JSON (UTF-8): the state's size is their sum, without encoding
    size = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instance", "key"], name="unique_state_part"),
        ]

    def __str__(self) -> str:
        return f"{self.instance_id}/{self.key}"


class TokenRow(models.Model):
    """Where control stands right now (projection of the state; rewritten per command)."""

    # Indexed by the unique (instance, token_id) constraint, whose first column it is.
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="tokens", db_index=False
    )
    token_id = models.CharField(max_length=32)
    node_id = models.CharField(max_length=255)
    scope_id = models.CharField(max_length=32)
    state = models.CharField(max_length=16)

    class Meta:
        # No index by ``node_id``: tokens are only ever read per instance (the unique
        # index), and every command rewrites some of them.
        constraints = [
            models.UniqueConstraint(fields=["instance", "token_id"], name="unique_token"),
        ]

    def __str__(self) -> str:
        return f"{self.token_id}@{self.node_id}"


class VariableRow(models.Model):
    """A variable of one scope, with its JSON type name, for querying and display."""

    # Indexed by the unique (instance, scope_id, name) constraint.
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="variable_rows", db_index=False
    )
    scope_id = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=16)
    value = models.JSONField(null=True, encoder=ExactJSONEncoder)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "scope_id", "name"], name="unique_scope_variable"
            ),
        ]
        # No index on ``name`` in the model: PostgreSQL keeps ``variable_name`` (migration
        # 0013) for the console's search by variable name; on SQLite, whose planner has
        # no statistics, it made that search probe every row of the name per instance
        # walked, so migration 0025 dropped it there.

    def __str__(self) -> str:
        return f"{self.scope_id}.{self.name}"
