"""Only process developers and administrators reach the console; business users and
auditors get 403 on every page and action, visitors are sent to log in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bpmn_engine.models import Incident, ProcessInstance
from bpmn_engine.services import start_instance

pytestmark = pytest.mark.django_db


def _pages(instance_id: int, deployment_id: int) -> list[str]:
    return [
        reverse("console:definitions"),
        reverse("console:deploy"),
        reverse("console:deployment", args=[deployment_id]),
        reverse("console:definition", args=["order"]),
        reverse("console:definition-version", args=["order", 1]),
        reverse("console:definition-diff", args=["order", 1]),
        reverse("console:definition-heatmap", args=["order", 1]),
        reverse("console:instances"),
        reverse("console:instance", args=[instance_id]),
        reverse("console:incidents"),
    ]


def _actions(instance_id: int) -> list[tuple[str, dict]]:
    return [
        (reverse("console:deploy"), {}),
        (reverse("console:start", args=["order", 1]), {}),
        (reverse("console:cancel", args=[instance_id]), {"reason": "x"}),
        (reverse("console:suspend", args=[instance_id]), {}),
        (reverse("console:resume", args=[instance_id]), {}),
        (reverse("console:move", args=[instance_id]), {"from_node": "Review", "to_node": "Ship"}),
        (
            reverse("console:variables", args=[instance_id]),
            {"name": "a", "value": "1", "reason": "x"},
        ),
        (reverse("console:retry"), {"incident": ["1"]}),
    ]


@pytest.mark.parametrize("who", ["sally", "audrey"])
def test_business_users_and_auditors_get_403_on_every_page_and_action(client, people, order, who):
    instance = start_instance(definition_key="order")
    client.force_login(people[who])
    for url in _pages(instance.pk, order.deployment_id):
        assert client.get(url).status_code == 403, url
    for url, data in _actions(instance.pk):
        assert client.post(url, data).status_code == 403, url
    instance.refresh_from_db()
    assert instance.status == "active" and not instance.suspended
    assert ProcessInstance.objects.count() == 1
    assert list(instance.tokens.values_list("node_id", flat=True)) == ["Review"]


def test_visitors_are_sent_to_the_login_page(client, order):
    instance = start_instance(definition_key="order")
    for url in _pages(instance.pk, order.deployment_id):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    for url, data in _actions(instance.pk):
        assert client.post(url, data).status_code == 302, url


@pytest.mark.parametrize("who", ["developer", "admin"])
def test_developers_and_administrators_see_every_page(client, people, order, who):
    instance = start_instance(definition_key="order")
    client.force_login(people[who])
    for url in _pages(instance.pk, order.deployment_id):
        assert client.get(url).status_code == 200, url


def test_the_developer_may_view_engine_rows_in_the_admin(client, people, order):
    start_instance(definition_key="order")
    client.force_login(people["developer"])
    index = client.get(reverse("admin:index"))
    assert b"have permission to view or edit anything" not in index.content
    for name in ("processinstance", "processdefinition", "job", "incident", "usertask"):
        assert client.get(reverse(f"admin:bpmn_engine_{name}_changelist")).status_code == 200
    assert not Incident.objects.exists()
