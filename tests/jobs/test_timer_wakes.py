"""The Celery timer poll's messages: a poll asks to be woken for the next timer with a
countdown message, and that wake-up only sends an immediate poll (see the task)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.utils import timezone

from bpmn_engine.jobs import tasks
from bpmn_engine.models import Timer
from bpmn_engine.services import deploy_definition, start_instance
from tests.services.test_timer_batches import ONE_TIMER

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> Any:
    """The poll messages sent while the test runs: (kwargs, eta) of each."""
    sent: list[tuple[dict[str, Any], Any]] = []

    def record(sender: str, headers: dict[str, Any], body: Any, **_: Any) -> None:
        if sender == "procession.fire_due_timers":
            sent.append((body[1], headers.get("eta")))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def test_a_poll_before_a_timer_falls_due_sends_a_wake_up_for_that_moment(published, settings):
    settings.TIMER_POLL_SECONDS = 60.0
    deploy_definition(name="wait_once", resources={"wait_once.bpmn": ONE_TIMER})
    start_instance(definition_key="wait_once", now=timezone.now() - timedelta(seconds=30))
    assert tasks.fire_due_timers() == 0
    [(kwargs, eta)] = published
    assert kwargs == {"woken": True}
    assert eta is not None


def test_a_wake_up_fires_nothing_itself_and_sends_one_immediate_poll(published):
    deploy_definition(name="wait_once", resources={"wait_once.bpmn": ONE_TIMER})
    start_instance(definition_key="wait_once", now=timezone.now() - timedelta(minutes=5))
    assert tasks.fire_due_timers(woken=True) == 0
    assert Timer.objects.get().state == "scheduled"
    assert published == [({}, None)]
    assert tasks.fire_due_timers() == 1  # that poll fires it
