"""Object permissions (django-guardian) with direct foreign keys, and task comments.

Direct foreign keys instead of guardian's generic ``object_pk`` text column: the grant is
deleted with its object (no orphaned grant inherited by a reused id) and the inbox joins
it by an indexed integer key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from bpmn_engine.models.definitions import ProcessDefinition
from bpmn_engine.models.work import UserTask


class UserTaskUserPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(UserTask, on_delete=models.CASCADE)


class UserTaskGroupPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(UserTask, on_delete=models.CASCADE)


class ProcessDefinitionUserPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE)


class ProcessDefinitionGroupPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE)


class TaskComment(models.Model):
    """A remark on a user task; ``author_name`` keeps the name as it was when written."""

    task = models.ForeignKey(UserTask, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:40]}"
