"""A real Celery worker process answers on the configured broker."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.celery_worker


def test_worker_answers_a_ping(celery_worker_process):
    replies = celery_worker_process.ping(timeout=5)
    assert replies and celery_worker_process.hostname in replies[0]
    assert replies[0][celery_worker_process.hostname] == {"ok": "pong"}


def test_worker_registers_the_project_tasks(celery_worker_process):
    from config.celery import app

    registered = app.control.inspect(
        destination=[celery_worker_process.hostname], timeout=5
    ).registered()
    assert registered is not None
    assert celery_worker_process.hostname in registered
