"""Sagas, multi-instance, event subprocesses and escalation through the service layer,
including concurrent completion of a parallel multi-instance body."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection

from bpmn_engine.errors import TaskNotOpenError
from bpmn_engine.models import Job
from bpmn_engine.services import (
    claim_user_task,
    complete_job,
    complete_user_task,
    correlate_message,
    fire_due_timers,
    start_instance,
    throw_job_error,
)
from tests.services.conftest import T0, deploy
from tests.services.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 12
QUORUM = 8
ROUNDS = 5


def _job(instance, node_id: str) -> Job:
    return Job.objects.get(instance=instance, node_id=node_id, state__in=("pending", "locked"))


def _complete(instance, node_id: str, user, variables=None, now=None):
    task = instance.user_tasks.get(node_id=node_id, state="open")
    claim_user_task(task_id=task.pk, user=user)
    return complete_user_task(task_id=task.pk, user=user, variables=variables or {}, now=now)


def test_saga_compensates_hotel_then_flight_and_never_refunds_the_card():
    deploy("saga/trip_booking.bpmn")
    instance = start_instance(definition_key="trip_booking")
    complete_job(job_id=_job(instance, "BookFlight").pk)
    complete_job(job_id=_job(instance, "BookHotel").pk)
    throw_job_error(job_id=_job(instance, "ChargeCard").pk, error_code="CARD_DECLINED")
    open_jobs = list(Job.objects.filter(instance=instance, state="pending"))
    assert [j.node_id for j in open_jobs] == ["CancelHotel"]
    complete_job(job_id=open_jobs[0].pk)
    complete_job(job_id=_job(instance, "CancelFlight").pk)
    instance.refresh_from_db()
    assert instance.status == "completed"
    order = list(
        Job.objects.filter(instance=instance).order_by("pk").values_list("job_type", flat=True)
    )
    assert order == ["book-flight", "book-hotel", "charge-card", "cancel-hotel", "cancel-flight"]
    assert not Job.objects.filter(job_type="refund-card").exists()


def test_parallel_multi_instance_user_task_stops_at_its_completion_condition():
    user = User.objects.create_user("worker")
    boss = User.objects.create_user("sally")
    deploy("multi_instance/parallel_reviews.bpmn")
    instance = start_instance(
        definition_key="parallel_reviews", variables={"reviewers": ["worker"] * 3, "quorum": 2}
    )
    reviews = list(instance.user_tasks.filter(node_id="Review"))
    assert len(reviews) == 3
    for task in reviews[:2]:
        claim_user_task(task_id=task.pk, user=user)
        complete_user_task(task_id=task.pk, user=user)
    states = sorted(instance.user_tasks.filter(node_id="Review").values_list("state", flat=True))
    assert states == ["cancelled", "completed", "completed"]
    _complete(instance, "Decide", boss)
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_concurrent_completions_of_a_parallel_multi_instance_fire_the_condition_once():
    user = User.objects.create_user("worker")
    deploy("multi_instance/parallel_reviews.bpmn")
    for _ in range(ROUNDS):
        instance = start_instance(
            definition_key="parallel_reviews",
            variables={"reviewers": ["worker"] * WIDTH, "quorum": QUORUM},
        )
        tasks = list(instance.user_tasks.filter(node_id="Review"))
        assert len(tasks) == WIDTH
        for task in tasks:
            claim_user_task(task_id=task.pk, user=user)
        outcomes = run_at_once(
            [functools.partial(complete_user_task, task_id=task.pk, user=user) for task in tasks]
        )
        done = outcomes.count("done")
        assert done >= QUORUM, f"{connection.vendor}: {outcomes!r}"
        assert all(o == "done" or isinstance(o, TaskNotOpenError) for o in outcomes), outcomes
        assert instance.user_tasks.filter(node_id="Review", state="completed").count() == QUORUM
        assert instance.user_tasks.filter(node_id="Review", state="cancelled").count() == (
            WIDTH - QUORUM
        )
        assert instance.user_tasks.filter(node_id="Decide").count() == 1
        assert list(instance.tokens.values_list("node_id", flat=True)) == ["Decide"]


def test_concurrent_completions_of_every_instance_continue_once():
    user = User.objects.create_user("worker")
    deploy("multi_instance/parallel_reviews.bpmn")
    for _ in range(ROUNDS):
        instance = start_instance(
            definition_key="parallel_reviews",
            variables={"reviewers": ["worker"] * WIDTH, "quorum": WIDTH},
        )
        tasks = list(instance.user_tasks.filter(node_id="Review"))
        for task in tasks:
            claim_user_task(task_id=task.pk, user=user)
        outcomes = run_at_once(
            [functools.partial(complete_user_task, task_id=task.pk, user=user) for task in tasks]
        )
        assert outcomes == ["done"] * WIDTH, f"{connection.vendor}: {outcomes!r}"
        assert instance.user_tasks.filter(node_id="Decide").count() == 1
        assert list(instance.tokens.values_list("node_id", flat=True)) == ["Decide"]


def test_message_event_subprocess_interrupts_the_order(users):
    deploy("event_subprocess/order_cancellation.bpmn")
    instance = start_instance(definition_key="order_cancellation", business_key="O-1", now=T0)
    fire_due_timers(now=T0 + timedelta(days=1, minutes=1))
    assert set(instance.user_tasks.filter(state="open").values_list("node_id", flat=True)) == {
        "Pack",
        "Remind",
    }
    correlate_message(message_name="CancelOrder", business_key="O-1")
    assert set(instance.user_tasks.filter(state="open").values_list("node_id", flat=True)) == {
        "Refund"
    }
    _complete(instance, "Refund", users["frank"])
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert not instance.subscriptions.exists() if hasattr(instance, "subscriptions") else True


def test_escalation_boundary_lets_the_delivery_go_on(users):
    deploy("escalation/late_delivery.bpmn")
    instance = start_instance(definition_key="late_delivery", variables={"late": True})
    assert set(instance.user_tasks.values_list("node_id", flat=True)) == {"Drive", "Inform"}
    _complete(instance, "Inform", users["frank"])
    _complete(instance, "Drive", users["sally"])
    instance.refresh_from_db()
    assert instance.status == "completed"
