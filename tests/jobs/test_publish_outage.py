"""A command that creates jobs never waits for the broker: while the broker holds every
connection without answering, the command commits and returns, and its doorbell waits in
the publisher thread (the sweeper re-sends whatever it could not publish)."""

from __future__ import annotations

import os
import socket
import threading
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from bpmn_engine.models import Job, ProcessInstance
from bpmn_engine.services import start_instance
from tests.jobs.conftest import deploy_service_process

pytestmark = pytest.mark.django_db(transaction=True)


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            return True
    except OSError:
        return False


@pytest.fixture
def networked_broker():
    """Skip on the embedded broker (no connection to hold; the PostgreSQL + Redis and
    RabbitMQ passes run this test), but under ``CI=true`` only if those passes can run."""
    if urlsplit(settings.CELERY_BROKER_URL).scheme in {"redis", "amqp", "pyamqp"}:
        return
    redis_url = os.environ.get("PROCESSION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    if os.environ.get("CI", "").lower() == "true" and not _reachable(redis_url):
        pytest.fail(f"CI=true and the Redis service at {redis_url} is unreachable", pytrace=False)
    pytest.skip("the embedded broker has no network connection to hold; the Redis pass runs it")


def test_a_command_creating_a_job_returns_while_the_broker_holds_its_publish(
    networked_broker, proxied_broker
):
    deploy_service_process("doubling", "test-double")
    proxied_broker.stop()
    proxied_broker.black_hole = True  # every connection accepted, never answered
    proxied_broker.start()
    returned = threading.Event()
    started: list[ProcessInstance] = []
    failed: list[BaseException] = []

    def command() -> None:
        try:
            started.append(start_instance(definition_key="doubling", variables={"amount": 1}))
        except BaseException as exc:  # reported by the assertion below
            failed.append(exc)
        returned.set()

    threading.Thread(target=command, daemon=True).start()
    assert proxied_broker.held.wait(60) or failed, "the job's doorbell never reached the broker"
    # Publishing on the command's thread would keep it inside the held publish until the
    # client gives up on the connection; the command must return while it is still held.
    assert returned.wait(60)
    assert not failed
    assert not proxied_broker.gave_up.is_set(), "the command waited for the broker"
    assert Job.objects.filter(instance__in=started, state="pending").count() == 1
