"""The one permission policy, enforced inside the user-task services, for every role:
admin, process developer, business user (sales, finance), auditor and anonymous."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import connection
from guardian.shortcuts import assign_perm

from bpmn_engine import permissions
from bpmn_engine.errors import (
    ForbiddenError,
    InvalidAssigneeError,
    NotFoundError,
    NotVisibleError,
    TaskAlreadyClaimedError,
    TaskDelegatedError,
    TaskNotAssignedError,
)
from bpmn_engine.models import TaskComment, UserTask, UserTaskUserPermission
from bpmn_engine.services import (
    assign_user_task,
    claim_user_task,
    comment_on_user_task,
    complete_user_task,
    delegate_user_task,
    deploy_definition,
    resolve_user_task,
    start_instance,
    unclaim_user_task,
)
from bpmn_engine.services.task_forms import submit_task_form, task_form
from tests.services.conftest import T0

pytestmark = pytest.mark.django_db

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="quote" isExecutable="true" camunda:candidateStarterGroups="sales">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Prepare"/>
    <bpmn:userTask id="Prepare" name="Prepare quote" camunda:candidateGroups="sales"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Prepare" targetRef="Invoice"/>
    <bpmn:userTask id="Invoice" name="Send invoice"
      camunda:candidateGroups="${team}" camunda:candidateUsers="${reviewer}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Invoice" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def people(db):
    groups = {n: Group.objects.create(name=n) for n in ("sales", "finance", "auditors")}
    groups["process-developers"] = Group.objects.create(name="process-developers")

    def person(name: str, *group_names: str, **flags) -> User:
        user = User.objects.create_user(name, password="procession", **flags)
        user.groups.add(*(groups[g] for g in group_names))
        return user

    return {
        "admin": person("admin", is_superuser=True, is_staff=True),
        "developer": person("developer", "process-developers", is_staff=True),
        "sally": person("sally", "sales"),
        "sam": person("sam", "sales"),
        "frank": person("frank", "finance"),
        "audrey": person("audrey", "auditors"),
        "salesauditor": person("salesauditor", "sales", "auditors"),
    }


@pytest.fixture
def quote(people):
    deploy_definition(name="quote", resources={"quote.bpmn": DIAGRAM})
    instance = start_instance(
        definition_key="quote",
        variables={"team": "finance", "reviewer": "sam"},
        user=people["sally"],
        now=T0,
    )
    return instance.user_tasks.get()


def fresh(task: UserTask) -> UserTask:
    return UserTask.objects.get(pk=task.pk)


def test_the_auditor_cannot_claim_a_sales_task(people, quote):
    with pytest.raises(NotVisibleError):
        claim_user_task(task_id=quote.pk, user=people["audrey"])
    assert fresh(quote).assignee == ""


def test_an_auditor_in_the_candidate_group_still_never_acts(people, quote):
    with pytest.raises(NotVisibleError):
        claim_user_task(task_id=quote.pk, user=people["salesauditor"])


def test_a_finance_user_gets_not_found_worded_like_a_missing_task(people, quote):
    with pytest.raises(NotFoundError) as hidden:
        claim_user_task(task_id=quote.pk, user=people["frank"])
    with pytest.raises(NotFoundError) as missing:
        claim_user_task(task_id=quote.pk + 999, user=people["frank"])
    assert str(hidden.value) == str(missing.value).replace(str(quote.pk + 999), str(quote.pk))


@pytest.mark.parametrize("who", ["frank", "audrey", "anonymous"])
def test_outsiders_can_do_nothing_to_a_task(people, quote, who):
    user = AnonymousUser() if who == "anonymous" else people[who]
    commands = [
        lambda: claim_user_task(task_id=quote.pk, user=user),
        lambda: unclaim_user_task(task_id=quote.pk, user=user),
        lambda: complete_user_task(task_id=quote.pk, user=user),
        lambda: delegate_user_task(task_id=quote.pk, user=user, delegate_to="sam"),
        lambda: resolve_user_task(task_id=quote.pk, user=user),
        lambda: assign_user_task(task_id=quote.pk, user=user, assignee="sam"),
        lambda: comment_on_user_task(task_id=quote.pk, user=user, text="hi"),
    ]
    for run in commands:
        with pytest.raises(NotVisibleError):
            run()
    task = fresh(quote)
    assert (task.assignee, task.owner, task.state) == ("", "", "open")
    assert not TaskComment.objects.exists()


def test_a_sales_user_claims_completes_and_the_next_task_goes_to_expression_candidates(
    people, quote
):
    claim_user_task(task_id=quote.pk, user=people["sally"])
    complete_user_task(task_id=quote.pk, user=people["sally"])
    invoice = UserTask.objects.get(node_id="Invoice")
    assert sorted(invoice.candidates.values_list("kind", "identity")) == [
        ("group", "finance"),
        ("user", "sam"),
    ]
    assert permissions.can_work_task(people["frank"], invoice)
    assert permissions.can_work_task(people["sam"], invoice)
    assert not permissions.can_see_task(people["sally"], invoice)


def test_a_business_user_may_not_assign(people, quote):
    with pytest.raises(ForbiddenError):
        assign_user_task(task_id=quote.pk, user=people["sally"], assignee="sam")


@pytest.mark.parametrize("who", ["admin", "developer"])
def test_admins_and_developers_assign_and_delegate_any_task(people, quote, who):
    assert assign_user_task(task_id=quote.pk, user=people[who], assignee="sally").assignee == (
        "sally"
    )
    task = delegate_user_task(task_id=quote.pk, user=people[who], delegate_to="sam")
    assert (task.owner, task.assignee, task.delegation_state) == ("sally", "sam", "pending")


def test_a_developer_sees_every_task_but_works_only_where_involved(people, quote):
    assert permissions.can_see_task(people["developer"], quote)
    with pytest.raises(ForbiddenError):
        claim_user_task(task_id=quote.pk, user=people["developer"])


def test_an_admin_works_on_every_task(people, quote):
    claim_user_task(task_id=quote.pk, user=people["admin"])
    assert complete_user_task(task_id=quote.pk, user=people["admin"]).state == "completed"


def test_nobody_assigns_a_task_to_an_auditor_or_a_stranger(people, quote):
    for target in ("audrey", "nobody-by-that-name"):
        with pytest.raises(InvalidAssigneeError):
            assign_user_task(task_id=quote.pk, user=people["admin"], assignee=target)


def test_delegation_follows_camunda_owner_and_state(people, quote):
    claim_user_task(task_id=quote.pk, user=people["sally"])
    delegated = delegate_user_task(task_id=quote.pk, user=people["sally"], delegate_to="frank")
    assert (delegated.owner, delegated.assignee, delegated.delegation_state) == (
        "sally",
        "frank",
        "pending",
    )
    # The delegate now sees the task although finance is no candidate group.
    assert permissions.can_work_task(people["frank"], delegated)
    with pytest.raises(TaskDelegatedError):
        complete_user_task(task_id=quote.pk, user=people["frank"])
    with pytest.raises(TaskNotAssignedError):
        resolve_user_task(task_id=quote.pk, user=people["sally"])
    resolved = resolve_user_task(task_id=quote.pk, user=people["frank"])
    assert (resolved.assignee, resolved.delegation_state) == ("sally", "resolved")
    assert not permissions.can_see_task(people["frank"], resolved)
    assert complete_user_task(task_id=quote.pk, user=people["sally"]).state == "completed"


def test_a_candidate_who_does_not_hold_the_task_may_not_delegate_it(people, quote):
    claim_user_task(task_id=quote.pk, user=people["sally"])
    with pytest.raises(ForbiddenError):
        delegate_user_task(task_id=quote.pk, user=people["sam"], delegate_to="frank")


def test_a_guardian_grant_on_the_task_lets_an_outsider_work_on_it(people, quote):
    assign_perm(permissions.WORK_ON_TASK, people["frank"], quote)
    assert claim_user_task(task_id=quote.pk, user=people["frank"]).assignee == "frank"


def test_a_group_grant_on_the_definition_covers_its_tasks(people, quote):
    finance = Group.objects.get(name="finance")
    assign_perm(permissions.WORK_ON_DEFINITION, finance, quote.instance.definition)
    assert list(permissions.visible_tasks(people["frank"])) == [quote]


def test_a_grant_dies_with_its_task_and_never_reaches_a_reused_id(people, quote):
    assign_perm(permissions.WORK_ON_TASK, people["frank"], quote)
    task_id = quote.pk
    quote.delete()
    assert not UserTaskUserPermission.objects.exists()
    reused = UserTask.objects.create(
        pk=task_id,
        instance_id=quote.instance_id,
        wait_id="w-reused",
        node_id="Other",
        created_at=T0,
    )
    assert not permissions.can_see_task(people["frank"], reused)


def test_inbox_lists_hold_only_visible_tasks(people, quote):
    assert list(permissions.visible_tasks(people["sally"])) == [quote]
    assert list(permissions.visible_tasks(people["frank"])) == []
    assert list(permissions.visible_tasks(people["audrey"])) == []
    assert list(permissions.visible_tasks(AnonymousUser())) == []
    assert list(permissions.visible_tasks(people["developer"])) == [quote]


def test_comments_record_their_author(people, quote):
    comment = comment_on_user_task(task_id=quote.pk, user=people["sam"], text=" <b>hi</b> ")
    assert (comment.author, comment.author_name, comment.text) == (
        people["sam"],
        "sam",
        "<b>hi</b>",
    )


def test_who_may_start_follows_candidate_starters_and_grants(people, quote):
    definition = quote.instance.definition
    assert permissions.can_start(people["sally"], definition)
    assert permissions.can_start(people["developer"], definition)
    assert not permissions.can_start(people["frank"], definition)
    assert not permissions.can_start(people["audrey"], definition)
    assert not permissions.can_start(AnonymousUser(), definition)
    assign_perm(permissions.START_DEFINITION, people["frank"], definition)
    assert [d.key for d in permissions.startable_definitions(people["frank"])] == ["quote"]
    with pytest.raises(NotVisibleError):
        permissions.require_start(AnonymousUser(), definition)


def test_auditors_read_every_instance_and_business_users_only_their_own(people, quote):
    instance = quote.instance
    assert list(permissions.visible_instances(people["audrey"])) == [instance]
    assert list(permissions.visible_instances(people["sam"])) == [instance]
    assert list(permissions.visible_instances(people["frank"])) == []
    with pytest.raises(NotVisibleError):
        permissions.require_instance_visible(people["frank"], instance)


# --- every command for every role ------------------------------------------------------
OK = "ok"
ROLES = ["admin", "developer", "sally", "sam", "frank", "audrey", "salesauditor", "anonymous"]
HIDDEN = NotFoundError  # worded exactly like a missing task
# The task is open, its candidate group is sales, sally holds it.
COMMANDS = {
    #             admin                    developer       sally                sam
    #             frank   audrey  salesauditor  anonymous
    "claim": (TaskAlreadyClaimedError, ForbiddenError, OK, TaskAlreadyClaimedError,
              HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "unclaim": (TaskAlreadyClaimedError, ForbiddenError, OK, TaskAlreadyClaimedError,
                HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "complete": (TaskNotAssignedError, ForbiddenError, OK, TaskNotAssignedError,
                 HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "submit_task_form": (TaskNotAssignedError, ForbiddenError, OK, TaskNotAssignedError,
                         HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "delegate": (OK, OK, OK, ForbiddenError, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "resolve": (TaskNotAssignedError, ForbiddenError, TaskNotAssignedError, TaskNotAssignedError,
                HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "assign": (OK, OK, ForbiddenError, ForbiddenError, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "comment": (OK, ForbiddenError, OK, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "task_form": (OK, OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
}  # fmt: skip


def _run(command: str, task_id: int, user):

    runs = {
        "claim": lambda: claim_user_task(task_id=task_id, user=user),
        "unclaim": lambda: unclaim_user_task(task_id=task_id, user=user),
        "complete": lambda: complete_user_task(task_id=task_id, user=user),
        "submit_task_form": lambda: submit_task_form(task_id=task_id, user=user, values={}),
        "delegate": lambda: delegate_user_task(task_id=task_id, user=user, delegate_to="sam"),
        "resolve": lambda: resolve_user_task(task_id=task_id, user=user),
        "assign": lambda: assign_user_task(task_id=task_id, user=user, assignee="sam"),
        "comment": lambda: comment_on_user_task(task_id=task_id, user=user, text="hi"),
        "task_form": lambda: task_form(task_id=task_id, user=user),
    }
    return runs[command]()


def _state(task: UserTask) -> tuple[object, ...]:
    row = fresh(task)
    return (row.state, row.assignee, row.owner, row.delegation_state, TaskComment.objects.count())


@pytest.mark.parametrize(
    ("command", "who", "expected"),
    [(c, who, row[i]) for c, row in COMMANDS.items() for i, who in enumerate(ROLES)],
)
def test_every_task_command_for_every_role(people, quote, command, who, expected):
    claim_user_task(task_id=quote.pk, user=people["sally"])
    user = AnonymousUser() if who == "anonymous" else people[who]
    before = _state(quote)
    if expected == OK:
        _run(command, quote.pk, user)
        return
    with pytest.raises(expected) as refused:
        _run(command, quote.pk, user)
    if expected is HIDDEN:
        assert str(refused.value) == f"Expected to find user task {quote.pk}, but it does not exist"
    assert _state(quote) == before


def test_the_task_access_query_answers_like_the_policy_and_is_prepared_once(people, quote):
    """The access query read with the task answers what the ORM policy answers, for every
    role; on PostgreSQL it binds on the server and is prepared once per connection."""
    for user in people.values():
        task = permissions.task_with_access(user, quote.pk)
        assert task is not None and task.pk == quote.pk
        expected = (
            permissions.visible_tasks(user).filter(pk=quote.pk).exists(),
            permissions.workable_tasks(user).filter(pk=quote.pk).exists(),
        )
        assert (permissions.can_see_task(user, task), permissions.can_work_task(user, task)) == (
            expected
        )
    assert permissions.task_with_access(people["sam"], quote.pk + 1_000) is None
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ['%"access_may_see"%'],
        )
        prepared, runs = cursor.fetchone()
    assert prepared >= 1
    assert runs >= len(people)
