"""Round trips and statements of a user-task completion on PostgreSQL, counted at the wire
(libpq's protocol trace): the lock, the audit chain heads and the task with its access in
one round trip; the state ``UPDATE`` (its version guard evaluated by the server) and every
other write in one statement that travels with the ``COMMIT``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection

from bpmn_engine.models import ActivityHistory, ProcessInstance, UserTask
from bpmn_engine.services import complete_user_task, deploy_definition, start_instance
from tests.jobs.test_job_round_trips import round_trips

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="approval" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:userTask id="Review" camunda:assignee="ann"/>
    <bpmn:manualTask id="Archive"/>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Archive"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Archive" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_completing_a_task_sends_all_its_writes_as_one_statement_with_the_commit(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("round trips are PostgreSQL's")
    ann = User.objects.create_user("ann")
    deploy_definition(name="approval", resources={"approval.bpmn": DIAGRAM})
    first, instance = (start_instance(definition_key="approval") for _ in range(2))
    # the first completion reads the user's groups for the permission policy (kept on
    # the user object afterwards)
    complete_user_task(task_id=UserTask.objects.get(instance=first).pk, user=ann)
    task = UserTask.objects.get(instance=instance)
    trips = round_trips(
        tmp_path,
        lambda: complete_user_task(task_id=task.pk, user=ann, variables={"ok": True}),
    )
    executed = [trip.count("Execute") for trip in trips if "Execute" in trip]
    # psycopg's BEGIN (synced on its own in pipeline mode); lock + audit heads + task
    # with access; then the instance, token, task, variable, history (closed and opened)
    # and audit writes as one statement, with the COMMIT. Before: [1, 3, 1, 3], the state
    # UPDATE alone in a round trip, the history's update and inserts in two statements.
    assert executed == [1, 3, 2], trips
    instance.refresh_from_db()
    assert (instance.status, instance.version) == ("completed", 2)
    rows = ActivityHistory.objects.filter(instance=instance).order_by("id")
    assert [(r.node_id, r.state) for r in rows] == [
        ("Start", "completed"),
        ("Review", "completed"),
        ("Archive", "completed"),
        ("End", "completed"),
    ]
    assert ProcessInstance.objects.get(pk=instance.pk).variable_rows.get(name="ok").value is True
