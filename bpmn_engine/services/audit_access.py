"""Granting and revoking auditor access, recorded in the audit trail (SOX asks who could
see what, and since when)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from guardian.shortcuts import assign_perm, remove_perm

from bpmn_engine.audit import record
from bpmn_engine.errors import NotFoundError
from bpmn_engine.models import ProcessDefinition
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.permissions import VIEW_AUDIT as PERMISSION
from bpmn_engine.services.transactions import command


def _definition(definition_id: int) -> ProcessDefinition:
    definition = ProcessDefinition.objects.filter(pk=definition_id).first()
    if definition is None:
        raise NotFoundError(
            f"Expected to find process definition {definition_id}, but it does not exist"
        )
    return definition


def _change(grant: bool, *, user: Any, grantee: Any, definition_id: int | None) -> None:
    if definition_id is None:
        permission = Permission.objects.get(
            content_type__app_label="bpmn_engine", codename="view_audit"
        )
        if grant:
            grantee.user_permissions.add(permission)
        else:
            grantee.user_permissions.remove(permission)
    else:
        (assign_perm if grant else remove_perm)(PERMISSION, grantee, _definition(definition_id))
    record(
        AuditEventType.PERMISSION_GRANTED if grant else AuditEventType.PERMISSION_REVOKED,
        user=user,
        definition_id=definition_id,
        data={
            "permission": PERMISSION,
            "grantee": grantee.get_username(),
            "scope": "all definitions" if definition_id is None else f"definition {definition_id}",
        },
    )


@command
def grant_audit_access(*, user: Any, grantee: Any, definition_id: int | None = None) -> None:
    """Let ``grantee`` read the trail of one definition (or of all, without an id)."""
    _change(True, user=user, grantee=grantee, definition_id=definition_id)


@command
def revoke_audit_access(*, user: Any, grantee: Any, definition_id: int | None = None) -> None:
    _change(False, user=user, grantee=grantee, definition_id=definition_id)
