"""Who may do what through the API: each check is one call into the engine's permission
policy (``bpmn_engine.permissions``), which the inbox, the console and the services share.
Nothing is decided here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bpmn_engine import permissions

is_admin = permissions.is_admin
is_auditor = permissions.is_auditor
is_developer = permissions.is_manager
can_deploy = permissions.can_deploy
can_operate = permissions.can_operate
can_read_operations = permissions.can_read_operations
can_work_external_tasks = permissions.can_work_external_tasks
can_correlate = permissions.can_correlate
can_start = permissions.can_start
can_act_on_task = permissions.can_work_task


def visible_tasks(user: Any, tasks: QuerySet) -> QuerySet:
    """The user tasks ``user`` may see, as one SQL filter."""
    return permissions.visible_tasks(user, tasks)


def can_assign(user: Any) -> bool:
    """Assign tasks: admins and process developers (the service checks the task too)."""
    return user is not None and permissions.is_manager(user)
