"""Append-only activity history: one row per activity instance."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from bpmn_engine.models.instances import ProcessInstance


class ActivityState(models.TextChoices):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class LoopRole(models.TextChoices):
    """Mirrors ``runtime.effects.LoopRole``: a plain activity, a loop's body, or one of its
    iterations."""

    NONE = "", "none"
    BODY = "body"
    INSTANCE = "instance"


class ActivityHistory(models.Model):
    """One activity instance. A multi-instance (or standard loop) activity leaves one
    ``loop_role="body"`` row and one ``"instance"`` row per iteration; a call activity's
    row names the instance it called (``called_instance``)."""

    # Indexed by the (instance, token_id, node_id) index, whose first column it is.
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="activity_history", db_index=False
    )
    node_id = models.CharField(max_length=255)
    node_type = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True, default="")
    token_id = models.CharField(max_length=32)
    scope_id = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=ActivityState.choices)
    actor = models.CharField(max_length=150, blank=True, default="")
    loop_role = models.CharField(max_length=8, choices=LoopRole.choices, blank=True, default="")
    called_instance = models.ForeignKey(
        ProcessInstance,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calling_activities",
        db_index=False,  # a partial index below: only call activities have one
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["instance", "token_id", "node_id"]),
            models.Index(
                fields=["called_instance"],
                condition=Q(called_instance__isnull=False),
                name="history_called_instance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} ({self.state})"

    @property
    def duration(self):
        return self.ended_at - self.started_at if self.ended_at else None
