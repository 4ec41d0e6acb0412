"""Concurrent commands on one instance serialise: a wide join fires exactly once."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from bpmn_engine.models import ProcessInstance
from bpmn_engine.services import (
    claim_user_task,
    complete_user_task,
    deploy_definition,
    start_instance,
)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 12
ROUNDS = 8


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


def complete_all_at_once(instance: ProcessInstance, user: User) -> list[BaseException]:
    tasks = list(instance.user_tasks.all())
    for task in tasks:
        claim_user_task(task_id=task.pk, user=user)
    barrier = threading.Barrier(len(tasks))
    errors: list[BaseException] = []

    def work(task_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            complete_user_task(task_id=task_id, user=user)
        except BaseException as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(t.pk,)) for t in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_completions_of_a_wide_parallel_join_fire_it_exactly_once():
    user = User.objects.create_user("worker")
    deploy_definition(name="wide", resources={"wide.bpmn": wide_join_diagram(WIDTH)})
    for _ in range(ROUNDS):
        instance = start_instance(definition_key="wide_join")
        errors = complete_all_at_once(instance, user)
        assert errors == [], f"{connection.vendor}: {errors!r}"
        after = instance.user_tasks.filter(node_id="After")
        assert after.count() == 1
        assert list(instance.tokens.values_list("node_id", flat=True)) == ["After"]
