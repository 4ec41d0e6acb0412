"""Round trips and statements of a user-task completion on PostgreSQL, counted at the wire
(libpq's protocol trace): the transaction's ``BEGIN``, the lock, the audit chain heads and
the task with its access in one round trip; the state ``UPDATE`` (its version guard
evaluated by the server) and every other write in one statement that travels with the
``COMMIT``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from psycopg.pq import TransactionStatus

from bpmn_engine.models import ActivityHistory, ProcessInstance, UserTask
from bpmn_engine.persistence import sql
from bpmn_engine.services import complete_user_task, deploy_definition, start_instance
from tests.jobs.test_job_round_trips import frontend_messages, split_round_trips

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
    messages = frontend_messages(
        tmp_path,
        lambda: complete_user_task(task_id=task.pk, user=ann, variables={"ok": True}),
    )
    trips = split_round_trips(messages)
    # two round trips in all: no Sync with nothing to send (psycopg syncs its pipeline
    # when autocommit is turned back on and when it is left; the command leaves it with
    # the COMMIT's)
    assert messages.count("Sync") == 2, messages
    executed = [trip.count("Execute") for trip in trips if "Execute" in trip]
    # The BEGIN with the lock, the audit heads and the task with its access; then the
    # instance, token, task, variable, history (closed and opened) and audit writes as one
    # statement, with the COMMIT. Before: [1, 3, 2], psycopg's own BEGIN in a round trip of
    # its own; earlier [1, 3, 1, 3], the state UPDATE alone in a round trip, the
    # history's update and inserts in two statements.
    assert executed == [4, 2], trips
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


def test_starting_an_instance_opens_its_transaction_in_its_first_statements_round_trip(
    tmp_path,
):
    if connection.vendor != "postgresql":
        pytest.skip("round trips are PostgreSQL's")
    deploy_definition(name="approval", resources={"approval.bpmn": DIAGRAM})
    start_instance(definition_key="approval")
    started: list[ProcessInstance] = []
    messages = frontend_messages(
        tmp_path, lambda: started.append(start_instance(definition_key="approval"))
    )
    trips = split_round_trips(messages)
    assert messages.count("Sync") == 2, messages
    executed = [trip.count("Execute") for trip in trips if "Execute" in trip]
    # The BEGIN with the definition's read (and the instance's id); then every write as
    # one statement with the COMMIT. Before: [1, 1, 2], psycopg's BEGIN on its own.
    assert executed == [2, 2], trips
    assert UserTask.objects.filter(instance=started[0], state="open").count() == 1


def test_a_failing_statement_in_the_opening_round_trip_rolls_the_transaction_back():
    if connection.vendor != "postgresql":
        pytest.skip("pipeline mode is PostgreSQL's")
    deploy_definition(name="approval", resources={"approval.bpmn": DIAGRAM})
    connection.ensure_connection()
    raw = connection.connection
    with pytest.raises(DatabaseError), transaction.atomic():
        ProcessInstance.objects.none()  # no statement: the transaction is not open yet
        assert raw.info.transaction_status == TransactionStatus.IDLE
        sql.fetch_pipelined(("SELECT 1", []), ("SELECT 1 / 0", []))
    # Django rolled back; psycopg is back in autocommit with no transaction open
    assert raw.autocommit is True
    assert raw.info.transaction_status == TransactionStatus.IDLE
    with transaction.atomic():
        first, second = sql.fetch_pipelined(("SELECT 1", []), ("SELECT 2", []))
        # the transaction is open, and psycopg knows it is not in autocommit
        assert raw.info.transaction_status == TransactionStatus.INTRANS
        assert raw.autocommit is False
    assert (first, second) == ([(1,)], [(2,)])
    assert raw.info.transaction_status == TransactionStatus.IDLE


def test_a_commit_hook_set_on_the_connection_runs_inside_the_command_and_stays():
    """The command replaces the connection's ``_commit`` for its own COMMIT (to leave
    pipeline mode with it); a ``_commit`` already set there (instrumentation, as in the
    benchmarks) still runs for every command and is there afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the pipelined COMMIT is PostgreSQL's")
    deploy_definition(name="approval", resources={"approval.bpmn": DIAGRAM})
    connection.ensure_connection()
    wrapper = sql.default_connection()
    commits: list[str] = []
    original = wrapper._commit

    def counted() -> None:
        commits.append("commit")
        original()

    wrapper._commit = counted
    try:
        for _ in range(2):
            start_instance(definition_key="approval")
        assert commits == ["commit", "commit"]
        assert wrapper.__dict__["_commit"] is counted
    finally:
        del wrapper._commit
    assert UserTask.objects.filter(state="open").count() == 2
