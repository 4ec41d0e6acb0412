"""Append-only activity history: one row per activity instance."""

from __future__ import annotations

from django.db import models

from bpmn_engine.models.instances import ProcessInstance


class ActivityState(models.TextChoices):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ActivityHistory(models.Model):
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="activity_history"
    )
    node_id = models.CharField(max_length=255)
    node_type = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True, default="")
    token_id = models.CharField(max_length=32)
    scope_id = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=ActivityState.choices)
    actor = models.CharField(max_length=150, blank=True, default="")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["instance", "token_id", "node_id"])]

    def __str__(self) -> str:
        return f"{self.node_id} ({self.state})"

    @property
    def duration(self):
        return self.ended_at - self.started_at if self.ended_at else None
