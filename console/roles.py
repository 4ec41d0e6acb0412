"""Who may use the console: process developers (group ``process-developers``) and
superusers. Business users and auditors get 403 on every page and action."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

DEVELOPER_GROUP = "process-developers"
ENGINE_APP = "bpmn_engine"


def is_console_user(user: Any) -> bool:
    """Process developers and administrators operate the engine."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=DEVELOPER_GROUP).exists()


def grant_developer_permissions(**_: Any) -> None:
    """Process developers may view every engine row in the Django admin and retry
    incidents there (``change_incident``); everything else changes through the engine."""
    group = Group.objects.filter(name=DEVELOPER_GROUP).first()
    if group is None:
        return
    wanted = Permission.objects.filter(content_type__app_label=ENGINE_APP).filter(
        codename__startswith="view_"
    ) | Permission.objects.filter(content_type__app_label=ENGINE_APP, codename="change_incident")
    group.permissions.add(*wanted)


def on_group_saved(sender: Any, instance: Group, **_: Any) -> None:
    """The demo fixture (and an administrator) may create the group after migrating."""
    if instance.name == DEVELOPER_GROUP:
        grant_developer_permissions()


def may_start(user: Any, definition: Any) -> bool:
    """Administrators start anything; a developer starts a definition that names no
    candidate starters, or names the developer or one of the developer's groups."""
    if not is_console_user(user):
        return False
    if user.is_superuser:
        return True
    groups = set(definition.candidate_starter_groups or ())
    users = set(definition.candidate_starter_users or ())
    if not groups and not users:
        return True
    if user.get_username() in users:
        return True
    return user.groups.filter(name__in=groups).exists()
