"""Every tasklist page and action for every role: admin, process developer, business users
(sally holds the sales task, sam is a fellow candidate, frank is in finance), auditor
(audrey) and anonymous.

Actions are posted with *invalid* input, so the order of the answers shows: a hidden task
is a 404, a task the user may not act on this way a 403, both before the input is looked
at; only a user who passes both reaches validation (a redirect back with a message, or a
400 on the start page). A refused request changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bpmn_engine.models import AuditEvent, ProcessInstance, TaskComment, UserTask
from bpmn_engine.services import claim_user_task
from bpmn_engine.services.task_forms import submit_start_form
from tasklist.templatetags.task_forms import REFUSED_KEY
from tests.tasklist.form_fixtures import deploy_order_intake, people_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ["admin", "developer", "sally", "sam", "frank", "audrey", "anonymous"]
PASS = "pass"  # past the permission checks: the action's own answer (redirect + message)
LOGIN = "login"
INVALID = {
    "claim": {},
    "unclaim": {},
    "complete": {},
    "submit-form": {"f-customer": "", "f-amount": "0"},
    "delegate": {"delegate_to": ""},
    "resolve": {},
    "assign": {"assignee": "x" * 200},
    "comment": {"text": ""},
}
# The task is open, its candidate group is sales, sally holds it.
EXPECTED = {
    #               admin  developer  sally  sam   frank audrey
    "claim":       (PASS,  403,       PASS,  PASS, 404,  404),
    "unclaim":     (PASS,  403,       PASS,  PASS, 404,  404),
    "complete":    (PASS,  403,       PASS,  PASS, 404,  404),
    "submit-form": (PASS,  403,       PASS,  PASS, 404,  404),
    "delegate":    (PASS,  PASS,      PASS,  403,  404,  404),
    "resolve":     (PASS,  403,       PASS,  PASS, 404,  404),
    "assign":      (PASS,  PASS,      403,   403,  404,  404),
    "comment":     (PASS,  403,       PASS,  PASS, 404,  404),
}  # fmt: skip
CASES = [
    (action, who, (*row, LOGIN)[ROLES.index(who)])
    for action, row in EXPECTED.items()
    for who in ROLES
]


@pytest.fixture
def intake(people):
    return deploy_order_intake()


@pytest.fixture
def task(intake, people) -> UserTask:
    """The demo's "Enter the order" (generated form, sales), held by sally."""
    instance = submit_start_form(
        definition_id=intake.pk, user=people["sally"], values={"customer": "ACME"}
    )
    task = instance.user_tasks.get()
    claim_user_task(task_id=task.pk, user=people["sally"])
    return task


def client_for(people, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(people[who])
    return client


def snapshot(task: UserTask) -> tuple[object, ...]:
    row = UserTask.objects.get(pk=task.pk)
    return (
        row.state,
        row.assignee,
        row.owner,
        row.delegation_state,
        TaskComment.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(("action", "who", "expected"), CASES)
def test_every_task_action_answers_each_role_before_looking_at_the_input(
    people, task, action, who, expected
):
    before = snapshot(task)
    client = client_for(people, who)
    response = client.post(reverse(f"tasklist:{action}", args=[task.pk]), INVALID[action])
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif expected == PASS:
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("login"))
        return
    else:
        assert response.status_code == expected
    assert snapshot(task) == before
    assert REFUSED_KEY.format(task.pk) not in client.session  # no form errors kept


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", 200), ("developer", 200), ("sally", 200), ("sam", 200), ("frank", 404),
     ("audrey", 404), ("anonymous", LOGIN)],
)  # fmt: skip
def test_the_task_page_for_each_role(people, task, who, expected):
    response = client_for(people, who).get(reverse("tasklist:task", args=[task.pk]))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return
    assert response.status_code == expected
    assert (b"Enter the order" in response.content) is (expected == 200)


@pytest.mark.parametrize("who", ["admin", "developer", "sally", "sam"])
def test_the_task_page_offers_each_role_only_what_it_may_do(people, task, who):
    html = client_for(people, who).get(reverse("tasklist:task", args=[task.pk])).content.decode()
    assert ('id="submit-form-button"' in html) is (who == "sally")  # the holder's form
    assert 'id="claim-button"' not in html  # sally holds it: nobody may claim
    manager = who in ("admin", "developer")
    assert (f'action="{reverse("tasklist:assign", args=[task.pk])}"' in html) is manager
    delegates = manager or who == "sally"
    assert (f'action="{reverse("tasklist:delegate", args=[task.pk])}"' in html) is delegates
    works = who in ("admin", "sally", "sam")
    assert (f'action="{reverse("tasklist:comment", args=[task.pk])}"' in html) is works
    assert ("can see this task but not work on it" in html) is (who == "developer")


def test_a_developer_submitting_a_wrong_form_is_refused_not_told_what_is_wrong(people, task):
    client = client_for(people, "developer")
    url = reverse("tasklist:submit-form", args=[task.pk])
    response = client.post(url, {"f-customer": "", "f-amount": "0"})
    assert response.status_code == 403
    page = client.get(reverse("tasklist:task", args=[task.pk])).content.decode()
    assert "Enter 1 or more" not in page and "The form has errors" not in page


def test_a_fellow_candidate_is_told_to_claim_the_task_not_what_the_form_wants(people, task):
    client = client_for(people, "sam")
    url = reverse("tasklist:submit-form", args=[task.pk])
    response = client.post(url, {"f-customer": "", "f-amount": "0"}, follow=True)
    html = response.content.decode()
    assert "sally holds it" in html
    assert "Enter 1 or more" not in html and "The form has errors" not in html


def test_the_holder_reaches_validation(people, task):
    client = client_for(people, "sally")
    url = reverse("tasklist:submit-form", args=[task.pk])
    response = client.post(url, {"f-customer": "", "f-amount": "0"}, follow=True)
    assert "Amount (EUR): Enter 1 or more." in response.content.decode()
    assert UserTask.objects.get(pk=task.pk).state == "open"


# --- inbox and start pages -------------------------------------------------------------
@pytest.mark.parametrize("view", ["tasklist:inbox", "tasklist:mine", "tasklist:group"])
@pytest.mark.parametrize(
    ("who", "listed"),
    [("admin", True), ("developer", True), ("sally", True), ("sam", True), ("frank", False),
     ("audrey", False), ("anonymous", None)],
)  # fmt: skip
def test_the_inbox_views_for_each_role(people, task, view, who, listed):
    response = client_for(people, who).get(reverse(view))
    if listed is None:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return
    assert response.status_code == 200
    row = f'data-task="{task.pk}"'.encode()
    # sally holds it: it is in her "My tasks", in nobody's "Group tasks"
    in_view = {
        "tasklist:inbox": listed,
        "tasklist:mine": who == "sally",
        "tasklist:group": False,
    }[view]
    assert (row in response.content) is in_view


START = [("admin", 200, 400), ("developer", 200, 400), ("sally", 200, 400), ("sam", 200, 400),
         ("frank", 404, 404), ("audrey", 403, 403), ("anonymous", LOGIN, LOGIN)]  # fmt: skip


@pytest.mark.parametrize(("who", "page", "invalid_post"), START)
def test_the_start_page_for_each_role_checks_permission_before_the_form(
    people, intake, who, page, invalid_post
):
    client = client_for(people, who)
    url = reverse("tasklist:start-definition", args=[intake.pk])
    for response, expected in (
        (client.get(url), page),
        (client.post(url, {"f-customer": ""}), invalid_post),
    ):
        if expected == LOGIN:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == expected
        if expected in (403, 404):
            assert b"This field is required" not in response.content
    assert not ProcessInstance.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_the_start_list_for_each_role(people, intake, who):
    response = client_for(people, who).get(reverse("tasklist:start"))
    if who == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert (b"Order intake" in response.content) is (who not in ("frank", "audrey"))
