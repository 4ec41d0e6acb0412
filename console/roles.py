"""Who may use the console: process developers (group ``process-developers``) and
superusers. Business users and auditors get 403 on every page and action."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from bpmn_engine import permissions

DEVELOPER_GROUP = permissions.MANAGER_GROUP
ENGINE_APP = "bpmn_engine"


def is_console_user(user: Any) -> bool:
    """Process developers and administrators operate the engine (the one policy)."""
    return user is not None and permissions.can_operate(user)


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
    """A console user who may start ``definition`` under the one policy."""
    return is_console_user(user) and permissions.can_start(user, definition)
