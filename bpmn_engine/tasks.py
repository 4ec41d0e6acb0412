"""Celery adapters: ids in, one service call out. No engine logic lives here."""

from __future__ import annotations

from celery import shared_task

from bpmn_engine import services


@shared_task(name="procession.fire_due_timers", ignore_result=True)
def fire_due_timers() -> int:
    """Fire the timers that are due (run by the scheduler every second)."""
    return services.fire_due_timers()
