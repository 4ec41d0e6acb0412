"""Concurrent commands on one instance serialise: a wide join fires exactly once."""

from __future__ import annotations

import functools
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from bpmn_engine.errors import TaskNotOpenError
from bpmn_engine.services import (
    claim_user_task,
    complete_user_task,
    deploy_definition,
    start_instance,
)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 20
ROUNDS = 30


def wide_join_diagram(width: int) -> bytes:
    branches = "".join(
        f'<bpmn:sequenceFlow id="out{i}" sourceRef="Fork" targetRef="T{i}"/>'
        f'<bpmn:userTask id="T{i}" camunda:assignee="worker"/>'
        f'<bpmn:sequenceFlow id="in{i}" sourceRef="T{i}" targetRef="Join"/>'
        for i in range(width)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="wide_join" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="Start" targetRef="Fork"/>
    <bpmn:parallelGateway id="Fork"/>{branches}
    <bpmn:parallelGateway id="Join"/>
    <bpmn:sequenceFlow id="f9" sourceRef="Join" targetRef="After"/>
    <bpmn:userTask id="After" camunda:assignee="worker"/>
    <bpmn:sequenceFlow id="f10" sourceRef="After" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def run_at_once(calls: list) -> list[object]:
    """Run ``calls`` in threads released together; each outcome is "done" or the error."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = []

    def work(call) -> None:
        try:
            barrier.wait(timeout=30)
            call()
            outcomes.append("done")
        except BaseException as exc:  # collected and asserted by the caller
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def complete_every_task_at_once(instance, user) -> list[str]:
    """Claim every open task of ``instance`` for ``user``, then complete them all at once."""
    tasks = list(instance.user_tasks.all())
    for task in tasks:
        claim_user_task(task_id=task.pk, user=user)
    return run_at_once(
        [functools.partial(complete_user_task, task_id=task.pk, user=user) for task in tasks]
    )


def test_concurrent_completions_of_a_wide_parallel_join_fire_it_exactly_once():
    user = User.objects.create_user("worker")
    deploy_definition(name="wide", resources={"wide.bpmn": wide_join_diagram(WIDTH)})
    for _ in range(ROUNDS):
        instance = start_instance(definition_key="wide_join")
        outcomes = complete_every_task_at_once(instance, user)
        assert outcomes == ["done"] * WIDTH, f"{connection.vendor}: {outcomes!r}"
        assert instance.user_tasks.filter(node_id="After").count() == 1
        assert list(instance.tokens.values_list("node_id", flat=True)) == ["After"]


def test_the_same_task_completed_twice_at_once_succeeds_once():
    user = User.objects.create_user("worker")
    deploy_definition(name="wide", resources={"wide.bpmn": wide_join_diagram(1)})
    for _ in range(10):
        instance = start_instance(definition_key="wide_join")
        task = instance.user_tasks.get(node_id="T0")
        claim_user_task(task_id=task.pk, user=user)
        complete = functools.partial(complete_user_task, task_id=task.pk, user=user)
        outcomes = run_at_once([complete, complete])
        assert outcomes.count("done") == 1, outcomes
        assert any(isinstance(o, TaskNotOpenError) for o in outcomes), outcomes
        assert instance.user_tasks.filter(node_id="After").count() == 1
