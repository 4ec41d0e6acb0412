"""Deployed decisions and the record of their evaluations."""

from __future__ import annotations

from django.db import models

from bpmn_engine.models.definitions import Deployment, DeploymentResource


class DecisionDefinition(models.Model):
    """A decision (or decision service) of a deployed DMN resource; ``key`` is its id,
    ``version`` counts deployments of a changed model per key."""

    key = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=255, blank=True, default="")
    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="decision_definitions"
    )
    resource = models.ForeignKey(
        DeploymentResource, on_delete=models.PROTECT, related_name="decision_definitions"
    )
    checksum = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="unique_decision_version"),
        ]

    def __str__(self) -> str:
        return f"{self.key}:{self.version}"


class DecisionEvaluation(models.Model):
    """One evaluation of a decision: per decision evaluated on the way, its inputs, the
    matched rules and its output (``details``), so auditors can see why."""

    definition = models.ForeignKey(
        DecisionDefinition, on_delete=models.PROTECT, related_name="evaluations"
    )
    instance = models.ForeignKey(
        "bpmn_engine.ProcessInstance",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decision_evaluations",
    )
    element_id = models.CharField(max_length=255, blank=True, default="")
    details = models.JSONField(default=list)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        indexes = [models.Index(fields=["instance", "evaluated_at"])]

    def __str__(self) -> str:
        return f"{self.definition} @ {self.evaluated_at:%Y-%m-%d %H:%M:%S}"
