"""The one permission policy: who sees and acts on tasks, instances and definitions.

Used by services (enforcement), the inbox, the API and the console alike. Roles:

- **anonymous / inactive**: nothing.
- **auditor** (member of ``auditors``, not a superuser): reads every definition and
  instance (audit), sees no task in an inbox and never acts, even if named on a task.
- **business user**: sees and works on a task only when *involved*: its assignee or owner,
  a candidate user, a member of a candidate group (BPMN candidate group = Django group of
  the same name), or granted ``work_on_usertask`` on the task or
  ``work_on_processdefinition`` on its definition (django-guardian, user or group grant).
- **process developer** (member of ``process-developers``) and **admin** (superuser):
  *managers*; they see every task and may assign and delegate any of them. Admins also
  work on every task; developers work only where involved, like anybody else.

Starting: admins, developers, ``camunda:candidateStarterUsers`` / ``...Groups`` and
holders of ``start_processdefinition``. A definition that names no starters is started by
managers and grant holders only.

Audit trail: ``view_audit`` (``bpmn_engine.view_audit``) granted globally (user or group
permission: every definition) or per definition (django-guardian object permission) lets
a user read the audit events and history of those definitions; superusers read all.
Reading the trail never grants an inbox action (``audit_scope``).

Lists filter in SQL (``visible_tasks`` etc. return querysets); object checks run the same
query for one row, so list and object answers never disagree. ``require_*`` raise
``NotVisibleError`` (reported as "not found", HTTP 404) when the user may not see the
object, and ``ForbiddenError`` (HTTP 403) when they see it but may not do that. ``user``
None is the engine itself (timers, workers, internal callers) and may do everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from guardian.shortcuts import get_objects_for_user

from bpmn_engine.errors import ForbiddenError, InvalidAssigneeError, NotVisibleError
from bpmn_engine.models import (
    ProcessDefinition,
    ProcessDefinitionGroupPermission,
    ProcessDefinitionUserPermission,
    ProcessInstance,
    UserTask,
    UserTaskCandidate,
    UserTaskGroupPermission,
    UserTaskUserPermission,
)
from bpmn_engine.models.work import CandidateKind
from bpmn_engine.persistence import sql

MANAGER_GROUP = "process-developers"
AUDITOR_GROUP = "auditors"
EXTERNAL_WORKER_GROUP = "external-workers"
WORK_ON_TASK = "work_on_usertask"
WORK_ON_DEFINITION = "work_on_processdefinition"
START_DEFINITION = "start_processdefinition"
VIEW_AUDIT = "bpmn_engine.view_audit"
_GROUPS_CACHE = "_procession_group_names"
_DEFINITION = "instance__definition_id"


# --- roles ------------------------------------------------------------------------------
def group_names(user: Any) -> frozenset[str]:
    """The user's Django group names (cached on the user object for one request)."""
    if not _active(user):
        return frozenset()
    cached = getattr(user, _GROUPS_CACHE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _GROUPS_CACHE, cached)
    return cached


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_admin(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser)


def is_auditor(user: Any) -> bool:
    """Auditors read and never act (a superuser is never treated as an auditor)."""
    return _active(user) and not user.is_superuser and AUDITOR_GROUP in group_names(user)


def is_manager(user: Any) -> bool:
    """Admins and process developers: may see, assign and delegate every task."""
    if not _active(user) or is_auditor(user):
        return False
    return bool(user.is_superuser) or MANAGER_GROUP in group_names(user)


def may_ever_work(user: Any) -> bool:
    """Whether ``user`` could hold a task at all (assign/delegate targets)."""
    return _active(user) and not is_auditor(user)


# --- engine-wide roles -----------------------------------------------------------------
def can_deploy(user: Any) -> bool:
    """Deploy definitions: admins and process developers."""
    return user is None or is_manager(user)


def can_operate(user: Any) -> bool:
    """Cancel, suspend, change variables, retry incidents, unlock external tasks."""
    return user is None or is_manager(user)


def can_read_operations(user: Any) -> bool:
    """Instances, history and incidents across the engine: managers and auditors."""
    return user is None or is_manager(user) or is_auditor(user)


def can_work_external_tasks(user: Any) -> bool:
    """Fetch, lock and report external tasks: managers and ``external-workers`` members."""
    if user is None or is_manager(user):
        return True
    return may_ever_work(user) and EXTERNAL_WORKER_GROUP in group_names(user)


def can_correlate(user: Any) -> bool:
    """Send messages and signals, evaluate decisions: anyone who may ever act."""
    return user is None or may_ever_work(user)


# --- tasks: query side ------------------------------------------------------------------
def _granted(model: Any, codename: str, key: str, **holder: Any) -> Exists:
    """A guardian grant of ``codename`` to ``holder`` on the row's ``key`` object."""
    grants = model.objects.filter(content_object=OuterRef(key), permission__codename=codename)
    return Exists(grants.filter(**holder))


def involved_q(user: Any) -> Q:
    """SQL condition on ``UserTask``: the user is involved in the task (see module doc)."""
    if not may_ever_work(user):
        return Q(pk__in=[])
    username = user.get_username()
    groups = group_names(user)
    candidates = UserTaskCandidate.objects.filter(user_task=OuterRef("pk"))
    condition = (
        Q(assignee=username)
        | Q(owner=username)
        | Exists(candidates.filter(kind=CandidateKind.USER, identity=username))
        | _granted(UserTaskUserPermission, WORK_ON_TASK, "pk", user=user)
        | _granted(ProcessDefinitionUserPermission, WORK_ON_DEFINITION, _DEFINITION, user=user)
    )
    if groups:
        in_groups = {"group__name__in": groups}
        condition |= (
            Exists(candidates.filter(kind=CandidateKind.GROUP, identity__in=groups))
            | _granted(UserTaskGroupPermission, WORK_ON_TASK, "pk", **in_groups)
            | _granted(
                ProcessDefinitionGroupPermission, WORK_ON_DEFINITION, _DEFINITION, **in_groups
            )
        )
    return condition


def candidate_tasks(user: Any, tasks: QuerySet[UserTask] | None = None) -> QuerySet[UserTask]:
    """The tasks naming ``user`` as a candidate user, or one of their groups as a candidate
    group. Being a candidate is one way of being involved (``involved_q``), so these are
    always among ``visible_tasks``: the inbox's "Group tasks" asks this narrower condition
    alone instead of the whole policy (planned and run in a fraction of the time)."""
    tasks = UserTask.objects.all() if tasks is None else tasks
    if not may_ever_work(user):
        return tasks.none()
    groups = group_names(user)
    mine = Q(kind=CandidateKind.USER, identity=user.get_username())
    if groups:
        mine |= Q(kind=CandidateKind.GROUP, identity__in=groups)
    candidates = UserTaskCandidate.objects.filter(mine, user_task=OuterRef("pk"))
    return tasks.filter(Exists(candidates))


def assigned_tasks(user: Any, tasks: QuerySet[UserTask] | None = None) -> QuerySet[UserTask]:
    """The tasks assigned to ``user``: the assignee is involved (``involved_q``), so these
    too are always among ``visible_tasks`` ("My tasks" asks only this)."""
    tasks = UserTask.objects.all() if tasks is None else tasks
    if not may_ever_work(user):
        return tasks.none()
    return tasks.filter(assignee=user.get_username())


def visible_tasks(user: Any, tasks: QuerySet[UserTask] | None = None) -> QuerySet[UserTask]:
    """The tasks ``user`` may see (all states), filtered in SQL."""
    tasks = UserTask.objects.all() if tasks is None else tasks
    if user is None or is_manager(user):
        return tasks
    return tasks.filter(involved_q(user))


def workable_tasks(user: Any, tasks: QuerySet[UserTask] | None = None) -> QuerySet[UserTask]:
    """The tasks ``user`` may claim, complete, comment on: admins all, others involved."""
    tasks = UserTask.objects.all() if tasks is None else tasks
    if user is None or is_admin(user):
        return tasks
    return tasks.filter(involved_q(user))


# --- tasks: object side -----------------------------------------------------------------
_ACCESS = "_procession_task_access"


def task_with_access(user: Any, task_id: int) -> UserTask | None:
    """The task row with ``user``'s answers to "may see" and "may work" read by the same
    query (the conditions of ``visible_tasks``/``workable_tasks``); the object checks
    below use them for this object and this user instead of asking again.

    The query is compiled once per user and role shape and kept as SQL text, with the
    task id as its only changing parameter (compiling it was most of a completion's
    Python time)."""
    # Bound on the server and prepared on PostgreSQL like the write path's statements:
    # its parameters are the policy's texts (sent untyped, so the server reads them as
    # the literals the ORM would have quoted) and integers, and the task id.
    return task_from_access_row(user, sql.fetchone(*task_access_statement(user, task_id)))


def task_access_statement(user: Any, task_id: int) -> tuple[str, list[Any]]:
    """The statement ``task_with_access`` runs (a caller may send it with others: its
    row goes to ``task_from_access_row``)."""
    text, params, slot = _access_query(user)
    bound = list(params)
    bound[slot] = task_id
    return text, bound


def task_from_access_row(user: Any, values: Sequence[Any] | None) -> UserTask | None:
    """The task of a row of ``task_access_statement``, carrying the user's answers."""
    if values is None:
        return None
    task = sql.build(UserTask, values[:-2])
    answers = (bool(values[-2]), bool(values[-1]))
    setattr(task, _ACCESS, (user, _holders(task), answers))
    return task


_COMPILED_ACCESS: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], int]] = {}
_NO_TASK = -4_000_000_001  # an id no task has: marks where the task id goes


def policy_key(user: Any) -> tuple[Any, ...]:
    """Everything the SQL of this policy's task conditions depends on for ``user`` (the
    database vendor, who they are, their groups and roles): SQL compiled for one user
    and kept under this key is the SQL the policy would compile again."""
    active = _active(user)
    return (
        sql.vendor(),
        user is None,
        getattr(user, "pk", None) if active else None,
        user.get_username() if active else "",
        group_names(user),
        is_manager(user),
        is_admin(user),
        may_ever_work(user),
    )


def _access_query(user: Any) -> tuple[str, tuple[Any, ...], int]:
    key = policy_key(user)
    compiled = _COMPILED_ACCESS.get(key)
    if compiled is None:
        involved: Any = (
            ExpressionWrapper(involved_q(user), output_field=BooleanField())
            if may_ever_work(user)
            else Value(False)
        )
        see = Value(True) if user is None or is_manager(user) else involved
        work = Value(True) if user is None or is_admin(user) else involved
        query = (
            UserTask.objects.filter(pk=_NO_TASK)
            .order_by()
            .annotate(access_may_see=see, access_may_work=work)[:1]
            .query
        )
        text, params = query.get_compiler(connection=connection).as_sql()
        compiled = (text, tuple(params), list(params).index(_NO_TASK))
        if len(_COMPILED_ACCESS) > 1000:
            _COMPILED_ACCESS.clear()
        _COMPILED_ACCESS[key] = compiled
    return compiled


def _holders(task: UserTask) -> tuple[str, str]:
    return task.assignee, task.owner


def _known_access(user: Any, task: UserTask) -> tuple[bool, bool] | None:
    """The answers read with the task, while it is the same user asking and the task is
    held as it was then (a claim or delegation changes who is involved)."""
    known = getattr(task, _ACCESS, None)
    if known is None or known[0] is not user or known[1] != _holders(task):
        return None
    return known[2]


def can_see_task(user: Any, task: UserTask) -> bool:
    known = _known_access(user, task)
    if known is not None:
        return known[0]
    return visible_tasks(user).filter(pk=task.pk).exists()


def can_work_task(user: Any, task: UserTask) -> bool:
    known = _known_access(user, task)
    if known is not None:
        return known[1]
    return workable_tasks(user).filter(pk=task.pk).exists()


def can_manage_task(user: Any, task: UserTask) -> bool:
    """Assign to anyone, delegate whoever holds it: managers only."""
    return user is None or (is_manager(user) and can_see_task(user, task))


def can_delegate_task(user: Any, task: UserTask) -> bool:
    """Managers, and the assignee of a task they may work on (Camunda's tasklist)."""
    if can_manage_task(user, task):
        return True
    return _active(user) and task.assignee == user.get_username() and can_work_task(user, task)


def _hidden(task_id: int) -> NotVisibleError:
    # Word for word the message of a missing task: nothing tells the two apart.
    return NotVisibleError(f"Expected to find user task {task_id}, but it does not exist")


def require_task_visible(user: Any, task: UserTask) -> None:
    if not can_see_task(user, task):
        raise _hidden(task.pk)


def require_task_work(user: Any, task: UserTask, action: str) -> None:
    """404 unless visible, 403 unless the user may work on it."""
    require_task_visible(user, task)
    if not can_work_task(user, task):
        raise ForbiddenError(f"Expected to {action} user task {task.pk}, but may not")


def require_task_manage(user: Any, task: UserTask, action: str) -> None:
    require_task_visible(user, task)
    if not can_manage_task(user, task):
        raise ForbiddenError(f"Expected to {action} user task {task.pk}, but may not")


def require_task_delegate(user: Any, task: UserTask) -> None:
    require_task_visible(user, task)
    if not can_delegate_task(user, task):
        raise ForbiddenError(f"Expected to delegate user task {task.pk}, but may not")


def require_assignable(username: str, task_id: int) -> None:
    """``username`` names an active user who may hold tasks (not an auditor)."""
    from django.contrib.auth import get_user_model

    target = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username})
    found = target.first()
    if found is None or not may_ever_work(found):
        raise InvalidAssigneeError(
            f"Expected to hand user task {task_id} to {username!r}, but no such user may hold tasks"
        )


# --- definitions and instances ----------------------------------------------------------
def _has_definition_grant(user: Any, definition: ProcessDefinition, codename: str) -> bool:
    groups = group_names(user)
    by_user = ProcessDefinitionUserPermission.objects.filter(
        content_object=definition, permission__codename=codename, user=user
    )
    by_group = ProcessDefinitionGroupPermission.objects.filter(
        content_object=definition, permission__codename=codename, group__name__in=groups
    )
    return by_user.exists() or (bool(groups) and by_group.exists())


def can_start(user: Any, definition: ProcessDefinition) -> bool:
    """Who may start an instance of ``definition`` (see module doc)."""
    if user is None or is_manager(user):
        return True
    if not may_ever_work(user):
        return False
    if user.get_username() in definition.candidate_starter_users:
        return True
    if group_names(user) & set(definition.candidate_starter_groups):
        return True
    return _has_definition_grant(user, definition, START_DEFINITION)


def require_start(user: Any, definition: ProcessDefinition) -> None:
    """404 unless the user sees the definition, 403 unless they may start it."""
    if can_start(user, definition):
        return
    if not visible_definitions(user).filter(pk=definition.pk).exists():
        raise NotVisibleError(
            f"Expected to find process definition {definition.pk}, but it does not exist"
        )
    raise ForbiddenError(f"Expected to start {definition.key}, but may not")


def startable_definitions(user: Any) -> list[ProcessDefinition]:
    """The latest version of every process key that ``user`` may start, by key.

    Definitions are few (one row per deployed version), so the starter lists (JSON) are
    checked here rather than in SQL, which SQLite's JSON lookups cannot do."""
    latest: dict[str, ProcessDefinition] = {}
    for definition in ProcessDefinition.objects.filter(suspended=False).order_by("key", "-version"):
        latest.setdefault(definition.key, definition)
    return [d for d in latest.values() if can_start(user, d)]


def visible_definitions(user: Any) -> QuerySet[ProcessDefinition]:
    """Definitions ``user`` may read: managers and auditors all; others those they may
    start or hold a grant on."""
    if user is None or is_manager(user) or is_auditor(user):
        return ProcessDefinition.objects.all()
    if not _active(user):
        return ProcessDefinition.objects.none()
    allowed = [d.pk for d in ProcessDefinition.objects.all() if can_start(user, d)]
    groups = group_names(user)
    granted = Q(processdefinitionuserpermission__user=user)
    if groups:
        granted |= Q(processdefinitiongrouppermission__group__name__in=groups)
    return ProcessDefinition.objects.filter(Q(pk__in=allowed) | granted).distinct()


def visible_instances(user: Any) -> QuerySet[ProcessInstance]:
    """Instances ``user`` may read: managers and auditors all; others the ones they
    started or where they see a task."""
    if user is None or is_manager(user) or is_auditor(user):
        return ProcessInstance.objects.all()
    if not _active(user):
        return ProcessInstance.objects.none()
    tasks = UserTask.objects.filter(involved_q(user), instance_id=OuterRef("pk"))
    return ProcessInstance.objects.filter(Q(started_by=user) | Exists(tasks))


def require_instance_visible(user: Any, instance: ProcessInstance) -> None:
    if not visible_instances(user).filter(pk=instance.pk).exists():
        raise NotVisibleError(
            f"Expected to find process instance {instance.pk}, but it does not exist"
        )


# --- audit trail ------------------------------------------------------------------------
def audit_scope(user: Any) -> set[int] | None:
    """The definition ids whose audit trail ``user`` may read; None means all of them."""
    if not _active(user):
        return set()
    if user.is_superuser or user.has_perm(VIEW_AUDIT):
        return None
    granted = get_objects_for_user(
        user, VIEW_AUDIT, klass=ProcessDefinition, accept_global_perms=False
    )
    return set(granted.values_list("pk", flat=True))


def can_read_audit(user: Any) -> bool:
    """Whether ``user`` may read the audit trail of at least one definition: the answer
    of ``audit_scope(user) != set()`` in one query (every page's navigation asks it;
    Django's and guardian's permission checks take three or four)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    app_label, codename = VIEW_AUDIT.split(".")
    groups = group_names(user)
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    granted = Q(Exists(permission.filter(user=user))) | Q(
        Exists(ProcessDefinitionUserPermission.objects.filter(user=user, permission__in=permission))
    )
    if groups:
        granted |= Q(Exists(permission.filter(group__name__in=groups))) | Q(
            Exists(
                ProcessDefinitionGroupPermission.objects.filter(
                    group__name__in=groups, permission__in=permission
                )
            )
        )
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user.pk).filter(granted).exists()
