"""What the inbox asks the database: the narrower views stay inside the one policy, the
counts agree with the rows listed, free text finds the same tasks whichever plan it
takes, the navigation's audit check agrees with the audit scope, and the page costs a
fixed number of queries however many tasks it lists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from bpmn_engine import permissions
from bpmn_engine.models import ProcessDefinition, UserTask
from bpmn_engine.selectors import inbox
from bpmn_engine.services import claim_user_task
from tests.tasklist.conftest import make_user, start_payment, start_quote
from tests.tasklist.test_inbox_views import counts, task_ids

pytestmark = pytest.mark.django_db
INBOX = reverse("tasklist:inbox")
LABELS = {"mine": "My tasks", "group": "Group tasks", "all": "All I can see"}
URLS = {"mine": reverse("tasklist:mine"), "group": reverse("tasklist:group"), "all": INBOX}
# session, user, the user's groups, the process list, the page, the three counts (one
# statement), the navigation's audit check
PAGE_QUERIES = 7


def _ids(tasks) -> set[int]:
    return set(tasks.values_list("pk", flat=True))


@pytest.fixture
def mixed(people, processes):
    """Open tasks of both processes, some claimed, one completed, one granted to sally."""
    quotes = [start_quote() for _ in range(3)]
    payments = [start_payment() for _ in range(2)]
    claim_user_task(task_id=quotes[0].pk, user=people["sam"])
    claim_user_task(task_id=quotes[1].pk, user=people["sally"])
    assign_perm(permissions.WORK_ON_TASK, people["sally"], payments[0])
    return quotes, payments


@pytest.mark.parametrize("who", ["admin", "developer", "sally", "sam", "frank", "audrey"])
def test_my_and_group_tasks_are_exactly_the_visible_tasks_assigned_or_offered(people, mixed, who):
    user = people[who]
    visible = permissions.visible_tasks(user).filter(state="open")
    username = user.get_username()
    offered = {
        t.pk
        for t in visible.filter(assignee="")
        if permissions.may_ever_work(user)
        and (
            t.candidates.filter(kind="user", identity=username).exists()
            or t.candidates.filter(
                kind="group", identity__in=permissions.group_names(user)
            ).exists()
        )
    }
    assert _ids(inbox.inbox_tasks(user, "group")) == offered
    assigned = _ids(visible.filter(assignee=username)) if permissions.may_ever_work(user) else set()
    assert _ids(inbox.inbox_tasks(user, "mine")) == assigned
    assert _ids(inbox.inbox_tasks(user, "all")) == (
        _ids(visible) if permissions.may_ever_work(user) else set()
    )


@pytest.mark.parametrize("who", ["admin", "developer", "sally", "sam", "frank", "audrey"])
@pytest.mark.parametrize("query", [{}, {"q": "quote"}, {"process": "payment"}, {"q": "zz"}])
def test_each_count_is_the_number_of_rows_its_view_lists(login, mixed, who, query):
    client = login(who)
    shown = counts(client.get(INBOX, query))
    for view, url in URLS.items():
        listed = len(task_ids(client.get(url, query)))
        assert shown[LABELS[view]] == str(listed)


def test_counts_follow_new_tasks_although_their_statement_is_compiled_once(login, processes):
    client = login("sally")
    assert counts(client.get(INBOX))["All I can see"] == "0"
    start_quote()
    assert counts(client.get(INBOX))["All I can see"] == "1"
    start_quote()
    assert counts(client.get(INBOX))["Group tasks"] == "2"


@pytest.mark.parametrize("text", ["globex", "acme-2026", "prepare", "Initech"])
def test_free_text_finds_the_same_tasks_through_matching_instances_and_by_walking(
    login, processes, monkeypatch, text
):
    start_quote(business_key="ACME-2026-17")
    start_quote(customer="Globex Corporation")
    start_quote(customer="Umbrella")
    start_payment(supplier="Initech")
    client = login("sally")
    selective = task_ids(client.get(INBOX, {"q": text}))
    monkeypatch.setattr(inbox, "SELECTIVE_MATCHES", 0)  # every search takes the walk
    assert task_ids(client.get(INBOX, {"q": text})) == selective
    expected = {"globex": 1, "acme-2026": 1, "prepare": 3, "Initech": 0}[text]
    assert len(selective) == expected


def test_free_text_finds_a_task_by_a_variable_value_and_by_business_key_only(login, processes):
    by_value = start_quote(customer="Hooli Europe")
    by_key = start_quote(business_key="HOOLI-7")
    start_quote(customer="Pied Piper")
    start_payment(supplier="Hooli Europe")  # finance's task: never sally's
    client = login("sally")
    assert sorted(task_ids(client.get(INBOX, {"q": "hooli"}))) == sorted([by_value.pk, by_key.pk])
    assert task_ids(client.get(INBOX, {"q": "europe"})) == [by_value.pk]
    assert counts(client.get(INBOX, {"q": "hooli"}))["All I can see"] == "2"


def test_matching_instances_says_when_there_are_too_many_to_name(processes):
    first = start_quote(customer="Wayne Enterprises").instance_id
    second = start_quote(customer="Wayne Foundation").instance_id
    start_quote(customer="Stark Industries")
    assert inbox.matching_instances("wayne", limit=2) == sorted([first, second])
    assert inbox.matching_instances("wayne", limit=1) is None
    assert inbox.matching_instances("nobody", limit=1) == []


def test_inbox_page_costs_a_fixed_number_of_queries_however_many_tasks_it_lists(login, processes):
    client = login("sally")
    start_quote()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tasklist:group"))
    for _ in range(12):
        start_quote(customer="Acme")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("tasklist:group"))
    assert len(task_ids(response)) == 13
    assert len(few.captured_queries) == len(many.captured_queries) == PAGE_QUERIES
    with CaptureQueriesContext(connection) as search:
        client.get(reverse("tasklist:group"), {"q": "acme"})
    assert len(search.captured_queries) == PAGE_QUERIES + 1  # the matching instances


def test_the_audit_link_check_agrees_with_the_audit_scope_in_one_query(people, processes):
    definition = ProcessDefinition.objects.get(key="quote")
    view_audit = Permission.objects.get(codename="view_audit")
    readers = Group.objects.create(name="readers")
    granted = {
        "global to the user": make_user("u1"),
        "global to a group": make_user("u2", "readers"),
        "on a definition to the user": make_user("u3"),
        "on a definition to a group": make_user("u4", "definition-readers"),
        "nothing": make_user("u5", "sales"),
    }
    granted["global to the user"].user_permissions.add(view_audit)
    readers.permissions.add(view_audit)
    assign_perm(permissions.VIEW_AUDIT, granted["on a definition to the user"], definition)
    assign_perm(permissions.VIEW_AUDIT, Group.objects.get(name="definition-readers"), definition)
    for how, user in granted.items():
        user = User.objects.get(pk=user.pk)  # no cached permissions
        expected = permissions.audit_scope(user) != set()
        user = User.objects.get(pk=user.pk)
        permissions.group_names(user)
        with CaptureQueriesContext(connection) as queries:
            answer = permissions.can_read_audit(user)
        assert answer is expected, how
        assert answer is (how != "nothing"), how
        assert len(queries.captured_queries) == 1, how
    assert permissions.can_read_audit(people["admin"]) is True
    assert permissions.can_read_audit(None) is False


def test_filter_controls_keep_what_was_chosen_and_tie_errors_to_their_control(login, processes):
    page = login("sally").get(INBOX, {"q": "acme <b>", "sort": "due", "due": "someday"})
    html = page.content.decode()
    assert 'value="acme &lt;b&gt;"' in html
    assert '<option value="due" selected>' in html
    assert 'aria-invalid="true" aria-describedby="id_due_error"' in html
    assert 'id="id_due_error"' in html
    assert '<option value="" selected>Any priority</option>' in html  # not sent: the default
    assert "selected>Any due date" not in html  # the refused value chooses nothing


def test_a_due_filter_is_compiled_with_the_current_time(login, processes):
    start_quote(due=timezone.now() - timezone.timedelta(days=1))
    client = login("sally")
    assert counts(client.get(INBOX, {"due": "overdue"}))["All I can see"] == "1"
    assert UserTask.objects.count() == 1
