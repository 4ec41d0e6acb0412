"""Accessibility basics of the tasklist pages, read from the HTML they serve: one page
language, a main landmark with a skip link, one h1, every form control labelled, unique
ids, and every aria-describedby / aria-labelledby / label ``for`` naming an element that
exists (so help texts and errors are read with their field)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from bpmn_engine.services import claim_user_task
from bpmn_engine.services.task_forms import submit_start_form
from tests.tasklist.form_fixtures import deploy_order_intake, people_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.references: list[tuple[str, str]] = []
        self.controls: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        for name in ("aria-describedby", "aria-labelledby"):
            for ref in a.get(name, "").split():
                self.references.append((name, ref))
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
                self.references.append(("label for", a["for"]))
        labelled_kind = tag != "input" or a.get("type", "text") not in UNLABELLED_TYPES
        if tag in ("input", "select", "textarea") and labelled_kind:
            self.controls.append({**a, "_wrapped": "1" if self.open_labels else ""})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1

    def problems(self) -> list[str]:
        found = []
        duplicates = {i for i in self.ids if self.ids.count(i) > 1}
        if duplicates:
            found.append(f"duplicate ids {sorted(duplicates)}")
        for kind, ref in self.references:
            if ref not in self.ids:
                found.append(f"{kind} names a missing id {ref!r}")
        for control in self.controls:
            labelled = (
                control["_wrapped"]
                or control.get("id", "") in self.label_for
                or control.get("aria-label")
                or control.get("aria-labelledby")
            )
            if not labelled:
                found.append(f"unlabelled control {control.get('name') or control}")
        h1s = [t for t, _ in self.tags if t == "h1"]
        if len(h1s) != 1:
            found.append(f"{len(h1s)} h1 headings")
        html = [a for t, a in self.tags if t == "html"]
        if not html or not html[0].get("lang"):
            found.append("no page language")
        mains = [a for t, a in self.tags if t == "main"]
        if len(mains) != 1 or mains[0].get("id") != "main":
            found.append("no main landmark")
        if not any(t == "a" and a.get("href") == "#main" for t, a in self.tags):
            found.append("no skip link")
        return found


def check(response) -> None:
    assert response.status_code in (200, 400), response.status_code
    page = Page()
    page.feed(response.content.decode())
    assert page.problems() == []


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def task(people):
    intake = deploy_order_intake()
    instance = submit_start_form(
        definition_id=intake.pk, user=people["sally"], values={"customer": "ACME"}
    )
    task = instance.user_tasks.get()
    claim_user_task(task_id=task.pk, user=people["sally"])
    return task


def test_the_login_page(client):
    check(client.get(reverse("login")))


@pytest.mark.parametrize("view", ["tasklist:inbox", "tasklist:mine", "tasklist:group"])
def test_the_inbox_views_also_with_a_refused_filter(people, task, view):
    client = client_for(people["sally"])
    check(client.get(reverse(view)))
    check(client.get(reverse(view), {"due": "someday", "q": "ACME"}))


def test_the_task_page_with_its_form_refused(people, task):
    client = client_for(people["sally"])
    url = reverse("tasklist:task", args=[task.pk])
    check(client.get(url))
    client.post(reverse("tasklist:submit-form", args=[task.pk]), {"f-amount": "0"})
    refused = client.get(url)
    assert b'aria-invalid="true"' in refused.content
    check(refused)


def test_the_task_page_with_every_hand_over_form(people, task):
    check(client_for(people["admin"]).get(reverse("tasklist:task", args=[task.pk])))


def test_the_finance_form_js_page_and_its_fallback(people, task):
    from bpmn_engine.models import UserTask
    from bpmn_engine.services.task_forms import submit_task_form

    submit_task_form(
        task_id=task.pk, user=people["sally"], values={"customer": "ACME", "amount": 5}
    )
    check_task = UserTask.objects.get(node_id="CheckPayment")
    claim_user_task(task_id=check_task.pk, user=people["frank"])
    check(client_for(people["frank"]).get(reverse("tasklist:task", args=[check_task.pk])))


def test_the_start_pages_also_with_a_refused_form(people, task):
    client = client_for(people["sally"])
    check(client.get(reverse("tasklist:start")))
    url = reverse("tasklist:start-definition", args=[task.instance.definition_id])
    check(client.get(url))
    check(client.post(url, {"f-customer": "", "business_key": "x" * 300}))
