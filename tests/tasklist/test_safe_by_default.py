"""Safe by default, across the whole site: every URL asks for a login, every POST of the
tasklist needs its CSRF token, and every action taken in the tasklist is in the audit
trail with its actor. (Escaping of variables, comments, business keys and form labels is
tested beside each page: test_task_page, test_inbox_filters, test_start_pages,
test_spec_forms; the login rate limit in test_login_rate_limit.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bpmn_engine.models import AuditEvent, TaskComment, UserTask
from bpmn_engine.services import claim_user_task
from bpmn_engine.services.task_forms import submit_start_form
from tests.tasklist.form_fixtures import deploy_order_intake, people_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

# Pages that must answer without a login: logging in and out, the load balancer's health
# check (a status word, no data), the API's schema and its two viewers (the shape of the
# API, no data), the token endpoint (it takes a username and password) and the discovery
# document Camunda Modeler reads (the addresses of our own pages).
PUBLIC = {"login", "logout", "healthz", "api-schema", "api-docs", "api-redoc", "api-token"}
PUBLIC_URLS = {"/.well-known/camunda-automation-platform/webapps"}
REFUSALS = {401, 403, 405}


def routes(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) == "admin/":
                continue  # Django's admin has its own login; its index is checked below
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def concrete(route: str) -> str:
    """A URL of ``route`` with made-up arguments (1 for numbers, x for names)."""
    route = re.sub(r"\(\?P<format>[^)]*\)", "json", route)  # DRF format suffixes
    route = re.sub(r"\(\?P<\w+>\\d\+\)", "1", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str:|slug:|path:)?[^>]+>", "x", route)
    for regex, text in (("^", ""), ("$", ""), ("\\Z", ""), ("\\.", "."), ("/?", "/")):
        route = route.replace(regex, text)
    return "/" + route


ROUTES = [(concrete(route), entry.name) for route, entry in routes(get_resolver().url_patterns)]


def test_the_route_walk_finds_the_tasklist_its_actions_and_the_apis():
    names = {name for _, name in ROUTES}
    assert {"inbox", "task", "claim", "submit-form", "start-definition"} <= names
    assert any(url.startswith("/engine-rest/task/") for url, _ in ROUTES)
    assert len(ROUTES) > 100


@pytest.mark.parametrize(("url", "name"), ROUTES)
def test_every_page_and_action_asks_an_anonymous_visitor_to_log_in(client, url, name):
    if name in PUBLIC or url in PUBLIC_URLS:
        return
    for response in (client.get(url), client.post(url)):
        if response.status_code == 302:
            assert response["Location"].startswith(reverse(settings.LOGIN_URL))
        else:
            assert response.status_code in REFUSALS, (url, response.status_code)


def test_the_admin_asks_for_its_own_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- CSRF ------------------------------------------------------------------------------
@pytest.fixture
def task(people):
    intake = deploy_order_intake()
    instance = submit_start_form(
        definition_id=intake.pk, user=people["sally"], values={"customer": "ACME"}
    )
    return instance.user_tasks.get()


ACTIONS = {
    "claim": {},
    "unclaim": {},
    "complete": {},
    "submit-form": {"f-customer": "ACME", "f-amount": "5"},
    "delegate": {"delegate_to": "sam"},
    "resolve": {},
    "assign": {"assignee": "sam"},
    "comment": {"text": "hello"},
}


@pytest.mark.parametrize("action", ACTIONS)
def test_every_task_action_refuses_a_post_without_its_csrf_token(people, task, action):
    if action != "claim":
        claim_user_task(task_id=task.pk, user=people["sally"])
    who = "admin" if action == "assign" else "sally"
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[who])
    before = AuditEvent.objects.count()
    response = client.post(reverse(f"tasklist:{action}", args=[task.pk]), ACTIONS[action])
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before
    assert not TaskComment.objects.exists()


def test_starting_logging_in_and_logging_out_need_the_csrf_token_too(people, task):
    client = Client(enforce_csrf_checks=True)
    start = reverse("tasklist:start-definition", args=[task.instance.definition_id])
    assert client.post(reverse("login"), {"username": "sally", "password": "x"}).status_code == 403
    client.force_login(people["sally"])
    assert client.post(start, {"f-customer": "ACME"}).status_code == 403
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("tasklist:inbox")).status_code == 200  # still logged in


# --- the audit trail -------------------------------------------------------------------
def events_since(mark: int) -> list[tuple[str, str, dict]]:
    rows = AuditEvent.objects.filter(pk__gt=mark).order_by("pk")
    return [(e.event_type, e.actor_id, json.loads(e.data)) for e in rows]


def test_every_tasklist_action_is_recorded_with_its_actor(people, task):
    def client_for(who: str) -> Client:
        client = Client()
        client.force_login(people[who])
        return client

    def act(who: str, action: str, **data) -> list[tuple[str, str, dict]]:
        mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client_for(who).post(reverse(f"tasklist:{action}", args=[task.pk]), data)
        assert response.status_code == 302
        return events_since(mark)

    def only(events, event_type: str) -> tuple[str, dict]:
        found = [(actor, data) for kind, actor, data in events if kind == event_type]
        assert len(found) == 1, events
        return found[0]

    assert only(act("sally", "claim"), "task.claimed") == (
        "sally",
        {"task_id": task.pk, "wait_id": task.wait_id, "assignee": "sally"},
    )
    assert only(act("sally", "unclaim"), "task.unclaimed")[0] == "sally"
    assert only(act("admin", "assign", assignee="sally"), "task.assigned")[0] == "admin"
    actor, data = only(act("sally", "delegate", delegate_to="sam"), "task.delegated")
    assert (actor, data["owner"], data["assignee"]) == ("sally", "sally", "sam")
    assert only(act("sam", "resolve"), "task.resolved")[0] == "sam"
    actor, data = only(act("sam", "comment", text="<b>checked</b>"), "task.commented")
    assert (actor, data["text"]) == ("sam", "<b>checked</b>")
    events = act("sally", "submit-form", **{"f-customer": "ACME", "f-amount": "7"})
    actor, data = only(events, "task.completed")
    assert actor == "sally" and data["values"]["amount"] == 7
    assert UserTask.objects.get(pk=task.pk).state == "completed"

    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    start = reverse("tasklist:start-definition", args=[task.instance.definition_id])
    assert client_for("sam").post(start, {"f-customer": "Globex"}).status_code == 302
    started = [
        (actor, data) for kind, actor, data in events_since(mark) if kind == "instance.started"
    ]
    assert [actor for actor, _ in started] == ["sam"]
