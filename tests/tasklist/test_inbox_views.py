"""The inbox pages under the one permission policy, for every role: which tasks each
view lists, the counts per view, and that nobody else's tasks leak."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bpmn_engine.services import claim_user_task
from tests.tasklist.conftest import start_payment, start_quote

pytestmark = pytest.mark.django_db

URLS = ["tasklist:inbox", "tasklist:mine", "tasklist:group"]


def task_ids(response) -> list[int]:
    """The task ids a page lists, in order (from the rows' data attribute)."""
    return [int(i) for i in re.findall(r'data-task="(\d+)"', response.content.decode())]


def counts(response) -> dict[str, str]:
    return {tab["label"]: tab["count"] for tab in response.context["tabs"]}


@pytest.mark.parametrize("name", [*URLS, "home"])
def test_anonymous_users_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_site_root_is_the_inbox(login, processes):
    response = login("sally").get("/")
    assert response.status_code == 200
    assert response.resolver_match.view_name == "tasklist:inbox"
    assert reverse("home") == "/"


def test_sales_user_sees_only_sales_tasks_in_every_view(login, processes):
    quote = start_quote()
    start_payment()
    client = login("sally")
    assert task_ids(client.get(reverse("tasklist:inbox"))) == [quote.pk]
    assert task_ids(client.get(reverse("tasklist:group"))) == [quote.pk]
    assert task_ids(client.get(reverse("tasklist:mine"))) == []


def test_finance_user_sees_only_finance_tasks(login, processes):
    start_quote()
    payment = start_payment()
    response = login("frank").get(reverse("tasklist:inbox"))
    assert task_ids(response) == [payment.pk]
    assert b"Prepare quote" not in response.content
    assert counts(response) == {"My tasks": "0", "Group tasks": "1", "All I can see": "1"}


def test_claimed_task_moves_from_group_tasks_to_my_tasks(login, people, processes):
    quote = start_quote()
    other = start_quote()
    claim_user_task(task_id=quote.pk, user=people["sally"])
    client = login("sally")
    mine = client.get(reverse("tasklist:mine"))
    assert task_ids(mine) == [quote.pk]
    assert task_ids(client.get(reverse("tasklist:group"))) == [other.pk]
    assert counts(mine) == {"My tasks": "1", "Group tasks": "1", "All I can see": "2"}


def test_a_task_claimed_by_a_colleague_leaves_group_tasks_but_stays_visible(
    client, people, processes
):
    quote = start_quote()
    claim_user_task(task_id=quote.pk, user=people["sam"])
    client.force_login(people["sally"])
    assert task_ids(client.get(reverse("tasklist:group"))) == []
    assert task_ids(client.get(reverse("tasklist:mine"))) == []
    assert task_ids(client.get(reverse("tasklist:inbox"))) == [quote.pk]


def test_auditor_sees_no_task_in_any_view(login, processes):
    start_quote()
    start_payment()
    client = login("audrey")
    for name in URLS:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert task_ids(response) == []
    assert counts(response) == {"My tasks": "0", "Group tasks": "0", "All I can see": "0"}
    assert b"hold no tasks" in response.content


@pytest.mark.parametrize("manager", ["admin", "developer"])
def test_managers_see_every_task_but_group_tasks_only_where_they_are_candidates(
    login, processes, manager
):
    quote = start_quote()
    payment = start_payment()
    client = login(manager)
    assert sorted(task_ids(client.get(reverse("tasklist:inbox")))) == sorted([quote.pk, payment.pk])
    assert task_ids(client.get(reverse("tasklist:group"))) == []
    assert task_ids(client.get(reverse("tasklist:mine"))) == []


def test_completed_tasks_are_not_listed(login, people, processes):
    from bpmn_engine.services import complete_user_task

    quote = start_quote()
    complete_user_task(task_id=quote.pk, user=people["sally"], claim=True)
    assert task_ids(login("sally").get(reverse("tasklist:inbox"))) == []


def test_nav_links_console_and_audit_only_for_those_allowed(login, processes):
    from django.contrib.auth.models import Permission, User

    from bpmn_engine.permissions import VIEW_AUDIT

    audrey = User.objects.get(username="audrey")
    audrey.user_permissions.add(Permission.objects.get(codename=VIEW_AUDIT.split(".")[1]))
    sally = login("sally").get("/").content
    assert b'href="/console/' not in sally and b'href="/audit/' not in sally
    developer = login("developer").get("/").content
    assert b'href="/console/' in developer
    audit = login("audrey").get("/").content
    assert b'href="/audit/' in audit and b'href="/console/' not in audit
    admin = login("admin").get("/").content
    assert b'href="/console/' in admin and b'href="/audit/' in admin


def test_inbox_query_count_does_not_grow_with_the_tasks_listed(
    login, processes, django_assert_max_num_queries
):
    client = login("sally")
    start_quote()
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("tasklist:inbox"))
    for _ in range(10):
        start_quote(customer="Acme")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("tasklist:inbox"))
    assert len(task_ids(response)) == 11


def test_nav_links_the_inbox_and_the_start_page_for_business_users(login, processes):
    page = login("sally").get("/").content.decode()
    assert f'href="{reverse("tasklist:inbox")}" aria-current="page">Inbox' in page
    assert f'href="{reverse("tasklist:start")}"' in page
