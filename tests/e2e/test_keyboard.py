"""The inbox with the keyboard alone: the skip link comes first, a poll that refreshes the
list keeps the focus on the link it was on, and a task is opened and claimed with Tab and
Enter."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from bpmn_engine.services import deploy_definition, start_instance
from tests.e2e.conftest import login
from tests.e2e.test_inbox import QUOTE

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "procession"


def focused(page) -> dict[str, str]:
    return page.evaluate(
        "() => ({id: document.activeElement.id, text: document.activeElement.textContent})"
    )


def tab_to(page, element_id: str, most: int = 40) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if focused(page)["id"] == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_a_task_is_found_opened_and_claimed_with_the_keyboard(page, settings, transactional_db):
    settings.PROCESSION_INBOX_POLL_SECONDS = 0.5
    sally = User.objects.create_user("sally", password=PASSWORD)
    sally.groups.add(Group.objects.create(name="sales"))
    deploy_definition(name="quote", resources={"quote.bpmn": QUOTE})
    task = start_instance(definition_key="quote", business_key="Q-1").user_tasks.get()
    login(page, "sally", PASSWORD)
    page.goto("/")

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to the content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    link = f"task-{task.pk}-link"
    tab_to(page, link)
    newer = start_instance(definition_key="quote", business_key="Q-2").user_tasks.get()
    page.wait_for_selector(f'tr[data-task="{newer.pk}"]')  # the poll swapped the list
    assert focused(page)["id"] == link  # ... and the focus stayed on the same task
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tasks/{task.pk}/")

    tab_to(page, "claim-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "You hold this task now." in page.locator(".messages").inner_text()
    tab_to(page, "complete-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Task completed." in page.locator(".messages").inner_text()
