"""Deployments and versioned process definitions."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Deployment(models.Model):
    """One upload of one or more resources (BPMN files)."""

    name = models.CharField(max_length=255)
    source = models.CharField(max_length=255, blank=True, default="")
    deployed_at = models.DateTimeField(auto_now_add=True)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-deployed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pk})"


class DeploymentResource(models.Model):
    """A deployed file, byte for byte, with its SHA-256 for duplicate filtering."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    checksum = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deployment", "name"], name="unique_resource_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessDefinition(models.Model):
    """A process of a deployed resource; ``key`` is the BPMN process id, ``version``
    counts deployments of a changed diagram per key (running instances keep theirs)."""

    key = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=255, blank=True, default="")
    version_tag = models.CharField(max_length=255, blank=True, default="")
    deployment = models.ForeignKey(Deployment, on_delete=models.PROTECT, related_name="definitions")
    resource = models.ForeignKey(
        DeploymentResource, on_delete=models.PROTECT, related_name="definitions"
    )
    checksum = models.CharField(max_length=64)
    suspended = models.BooleanField(default=False)
    candidate_starter_groups = models.JSONField(default=list, blank=True)
    candidate_starter_users = models.JSONField(default=list, blank=True)
    #: Job types the engine runs itself (a handler was registered when this version was
    #: deployed); other external/topic jobs wait for external workers. Decided once here,
    #: so every process that later writes a job row of this version agrees.
    engine_job_types = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="unique_definition_version"),
        ]
        permissions = [
            # Auditors: granted per definition (django-guardian) or globally for all.
            ("view_audit", "Can read the history and audit trail"),
            ("start_processdefinition", "Can start instances of the process definition"),
            ("work_on_processdefinition", "Can see and work on the definition's user tasks"),
        ]

    def __str__(self) -> str:
        return f"{self.key}:{self.version}"
