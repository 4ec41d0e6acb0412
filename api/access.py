"""Who may do what through the API: every check is one call into the engine's permission
policy (``bpmn_engine.permissions``), so the API, the inbox and the console share one rule.

Until that module lands, the functions below carry the minimal rules and are replaced
one line each."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

DEVELOPERS_GROUP = "process-developers"
AUDITORS_GROUP = "auditors"


def _in_group(user: Any, name: str) -> bool:
    return bool(user and user.is_authenticated and user.groups.filter(name=name).exists())


def is_admin(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def is_developer(user: Any) -> bool:
    return is_admin(user) or _in_group(user, DEVELOPERS_GROUP)


def is_auditor(user: Any) -> bool:
    return _in_group(user, AUDITORS_GROUP)


def can_deploy(user: Any) -> bool:
    return is_developer(user)


def can_operate(user: Any) -> bool:
    """Cancel, suspend, change variables, retry incidents, unlock external tasks."""
    return is_developer(user)


def can_read_operations(user: Any) -> bool:
    """Instances, history, incidents: admins, developers and auditors."""
    return is_developer(user) or is_auditor(user)


WORKERS_GROUP = "external-workers"


def can_work_external_tasks(user: Any) -> bool:
    """Fetch and report external tasks: managers and members of ``external-workers``."""
    return is_developer(user) or _in_group(user, WORKERS_GROUP)


def can_start(user: Any, definition: Any) -> bool:
    if is_developer(user):
        return True
    if not (user and user.is_authenticated) or is_auditor(user):
        return False
    groups = set(definition.candidate_starter_groups or ())
    users = set(definition.candidate_starter_users or ())
    if not groups and not users:
        return True
    return user.get_username() in users or user.groups.filter(name__in=groups).exists()


def can_correlate(user: Any) -> bool:
    return bool(user and user.is_authenticated) and not is_auditor(user)


def visible_tasks(user: Any, tasks: QuerySet) -> QuerySet:
    """The user tasks ``user`` may see, as one SQL filter."""
    if is_developer(user) or is_auditor(user):
        return tasks
    if not (user and user.is_authenticated):
        return tasks.none()
    groups = list(user.groups.values_list("name", flat=True))
    name = user.get_username()
    return tasks.filter(
        Q(assignee=name)
        | Q(candidates__kind="user", candidates__identity=name)
        | Q(candidates__kind="group", candidates__identity__in=groups)
    ).distinct()


def can_act_on_task(user: Any, task: Any) -> bool:
    """Claim, unclaim, complete: not auditors (they read), and only visible tasks."""
    if is_auditor(user) and not is_developer(user):
        return False
    return visible_tasks(user, type(task).objects.filter(pk=task.pk)).exists()


def can_assign(user: Any) -> bool:
    return is_developer(user)
