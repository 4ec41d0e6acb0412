"""Filters, sorting, pages, bounded counts, the htmx partial and escaping in the inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bpmn_engine.services import deploy_definition, start_instance
from tests.tasklist.conftest import start_payment, start_quote
from tests.tasklist.test_inbox_views import counts, task_ids

pytestmark = pytest.mark.django_db
INBOX = reverse("tasklist:inbox")


def test_process_filter_lists_one_process(login, processes):
    quote = start_quote()
    payment = start_payment()
    admin = login("admin")
    assert task_ids(admin.get(INBOX, {"process": "payment"})) == [payment.pk]
    assert task_ids(admin.get(INBOX, {"process": "quote"})) == [quote.pk]
    sally = login("sally").get(INBOX)
    assert dict(sally.context["form"].fields["process"].choices) == {
        "": "All processes",
        "payment": "Payment",
        "quote": "Quote",
    }


def test_filtering_by_a_process_whose_tasks_the_user_cannot_see_shows_nothing(login, processes):
    start_quote()
    start_payment(supplier="Initech")
    response = login("sally").get(INBOX, {"process": "payment"})
    assert task_ids(response) == []
    assert counts(response) == {"My tasks": "0", "Group tasks": "0", "All I can see": "0"}
    assert b"Pay supplier" not in response.content


def test_auditors_get_no_process_choices(login, processes):
    response = login("audrey").get(INBOX)
    assert dict(response.context["form"].fields["process"].choices) == {"": "All processes"}


def test_due_filters_overdue_today_and_this_week(login, processes):
    now = timezone.now()
    overdue = start_quote(due=now - timedelta(days=3))
    later_today = now.replace(hour=23, minute=59, second=0, microsecond=0)
    today = start_quote(due=later_today) if later_today > now else None
    next_month = start_quote(due=now + timedelta(days=40))
    start_quote()  # no due date
    client = login("sally")
    assert task_ids(client.get(INBOX, {"due": "overdue"})) == [overdue.pk]
    if today is not None:
        assert task_ids(client.get(INBOX, {"due": "today"})) == [today.pk]
        assert today.pk in task_ids(client.get(INBOX, {"due": "week"}))
    assert next_month.pk not in task_ids(client.get(INBOX, {"due": "week"}))
    page = client.get(INBOX, {"due": "overdue"}).content.decode()
    assert "overdue</span>" in page


def test_priority_filter_bands(login, processes):
    high = start_quote(priority=80)
    normal = start_quote(priority=50)
    low = start_quote(priority=10)
    client = login("sally")
    assert task_ids(client.get(INBOX, {"priority": "high"})) == [high.pk]
    assert task_ids(client.get(INBOX, {"priority": "normal"})) == [normal.pk]
    assert task_ids(client.get(INBOX, {"priority": "low"})) == [low.pk]


def test_free_text_matches_name_business_key_and_string_variables(login, processes):
    by_key = start_quote(business_key="ACME-2026-17")
    by_variable = start_quote(customer="Globex Corporation")
    numeric = start_quote(amount=4711)
    client = login("sally")
    assert task_ids(client.get(INBOX, {"q": "acme-2026"})) == [by_key.pk]
    assert task_ids(client.get(INBOX, {"q": "globex"})) == [by_variable.pk]
    assert task_ids(client.get(INBOX, {"q": "4711"})) == []  # numbers are not text
    assert sorted(task_ids(client.get(INBOX, {"q": "prepare QUOTE"}))) == sorted(
        [by_key.pk, by_variable.pk, numeric.pk]
    )
    assert task_ids(client.get(INBOX, {"q": "nothing like this"})) == []


def test_free_text_never_finds_tasks_the_user_may_not_see(login, processes):
    start_payment(supplier="Initech")
    assert task_ids(login("sally").get(INBOX, {"q": "initech"})) == []
    assert len(task_ids(login("frank").get(INBOX, {"q": "initech"}))) == 1


def test_overlong_search_text_is_refused_with_a_message_not_run(login, processes):
    quote = start_quote()
    response = login("sally").get(INBOX, {"q": "x" * 101})
    assert response.status_code == 200
    assert response.context["form"].errors["q"]
    assert task_ids(response) == [quote.pk]


def test_counts_follow_the_filters(login, processes):
    start_quote(priority=80)
    start_quote(priority=10)
    response = login("sally").get(INBOX, {"priority": "high"})
    assert counts(response) == {"My tasks": "0", "Group tasks": "1", "All I can see": "1"}


def test_counts_stop_at_the_cap(login, processes, monkeypatch):
    from tasklist.views import inbox

    monkeypatch.setattr(inbox, "COUNT_CAP", 2)
    for _ in range(3):
        start_quote()
    response = login("sally").get(INBOX)
    assert counts(response)["All I can see"] == "2+"
    assert len(task_ids(response)) == 3


def test_sorting_by_created_priority_due_and_name(login, processes):
    t0 = timezone.now() - timedelta(hours=5)
    first = start_quote(priority=10, due=t0 + timedelta(days=2), now=t0)
    second = start_quote(priority=90, now=t0 + timedelta(hours=1))
    third = start_quote(priority=50, due=t0 + timedelta(days=1), now=t0 + timedelta(hours=2))
    client = login("sally")
    assert task_ids(client.get(INBOX)) == [third.pk, second.pk, first.pk]  # newest first
    assert task_ids(client.get(INBOX, {"sort": "created"})) == [first.pk, second.pk, third.pk]
    assert task_ids(client.get(INBOX, {"sort": "-priority"})) == [second.pk, third.pk, first.pk]
    assert task_ids(client.get(INBOX, {"sort": "priority"})) == [first.pk, third.pk, second.pk]
    assert task_ids(client.get(INBOX, {"sort": "due"})) == [third.pk, first.pk, second.pk]


def test_sorting_by_name(login, processes):
    payment = start_payment()
    quote = start_quote()
    assert task_ids(login("admin").get(INBOX, {"sort": "name"})) == [payment.pk, quote.pk]


def test_unknown_sort_falls_back_to_newest_first(login, processes):
    older = start_quote(now=timezone.now() - timedelta(hours=1))
    newer = start_quote()
    response = login("sally").get(INBOX, {"sort": "id; drop table"})
    assert response.status_code == 200
    assert task_ids(response) == [newer.pk, older.pk]


def test_pages_of_25_with_previous_and_next_links_keeping_filters(login, processes):
    t0 = timezone.now() - timedelta(days=1)
    tasks = [start_quote(now=t0 + timedelta(minutes=i)) for i in range(30)]
    client = login("sally")
    first = client.get(INBOX, {"sort": "created"})
    assert task_ids(first) == [t.pk for t in tasks[:25]]
    assert 'rel="next" href="?sort=created&amp;page=2"' in first.content.decode()
    second = client.get(INBOX, {"sort": "created", "page": "2"})
    assert task_ids(second) == [t.pk for t in tasks[25:]]
    assert 'rel="prev" href="?sort=created&amp;page=1"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert task_ids(client.get(INBOX, {"page": "999"})) == []
    assert client.get(INBOX, {"page": "-1"}).status_code == 200


def test_htmx_poll_gets_only_the_list_partial(login, processes):
    client = login("sally")
    full = client.get(INBOX)
    assert b"<html" in full.content
    assert b'hx-trigger="every 15s"' in full.content
    assert "HX-Request" in full["Vary"]
    quote = start_quote()  # a new task arrives; the next poll shows it
    partial = client.get(INBOX, {"sort": "created"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.lstrip().startswith('<section id="inbox-list"')
    assert "<html" not in body and "<form" not in body
    assert task_ids(partial) == [quote.pk]
    assert 'hx-get="/?sort=created"' in body  # the poll keeps the filters


def test_pages_load_htmx_from_our_own_static_files_under_the_strict_csp(login, processes):
    response = login("sally").get(INBOX)
    assert b'src="/static/vendor/htmx/htmx.min.js"' in response.content
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert b"<script>" not in response.content  # no inline script
    assert b'"allowEval": false' in response.content


XSS = "<script>alert(1)</script>"


def test_script_in_business_key_and_variables_is_escaped(login, processes):
    start_quote(business_key=XSS, customer=XSS)
    client = login("sally")
    for response in (client.get(INBOX), client.get(INBOX, {"q": "<script>"})):
        body = response.content.decode()
        assert XSS not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert len(task_ids(client.get(INBOX, {"q": "<script>"}))) == 1


def test_script_in_a_task_name_is_escaped(login, people, processes):
    diagram = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="evil" name="&lt;img src=x onerror=alert(2)&gt;" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="T"/>
    <bpmn:userTask id="T" name="&lt;script&gt;alert(1)&lt;/script&gt;"
      camunda:candidateGroups="sales"/>
    <bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""
    deploy_definition(name="evil", resources={"evil.bpmn": diagram})
    start_instance(definition_key="evil")
    body = login("sally").get(INBOX).content.decode()
    assert XSS not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(2)&gt;" in body  # the process filter and the row
