"""Who may read the audit trail and history of which process definitions.

Auditors read only: the ``bpmn_engine.view_audit`` permission granted globally (every
definition) or per definition (django-guardian object permission on ``ProcessDefinition``).
Nothing here grants inbox actions. Kept apart from the task and start rules; it moves into
``bpmn_engine.permissions`` as one clearly separated function group once that module holds
the engine's policy."""

from __future__ import annotations

from typing import Any

from guardian.shortcuts import get_objects_for_user

from bpmn_engine.models import ProcessDefinition

PERMISSION = "bpmn_engine.view_audit"


def audit_scope(user: Any) -> set[int] | None:
    """The definition ids whose audit trail ``user`` may read; None means all of them."""
    if not (user and user.is_authenticated and user.is_active):
        return set()
    if user.is_superuser or user.has_perm(PERMISSION):
        return None
    granted = get_objects_for_user(
        user, PERMISSION, klass=ProcessDefinition, accept_global_perms=False
    )
    return set(granted.values_list("pk", flat=True))


def can_audit(user: Any, definition_id: int | None = None) -> bool:
    """Whether ``user`` may read the trail of ``definition_id`` (any definition if None)."""
    scope = audit_scope(user)
    if scope is None:
        return True
    return bool(scope) if definition_id is None else definition_id in scope
