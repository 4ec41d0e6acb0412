"""Only EngineErrors leave a service: unstorable input is refused at the door with a typed
error naming the variable, texts longer than their columns are refused before any work,
a script producing a value the database cannot hold is an incident, and floats come back
from the database as the floats that went in."""

from __future__ import annotations

import functools

import pytest
from django.contrib.auth.models import User
from django.forms.models import model_to_dict

from bpmn_engine.errors import (
    DeploymentInvalidError,
    EngineError,
    InstanceStateError,
    InvalidCommandError,
    InvalidVariableError,
)
from bpmn_engine.models import EventSubscription, Incident, ProcessInstance, VariableRow
from bpmn_engine.services import (
    complete_user_task,
    correlate_message,
    deploy_definition,
    set_variables,
    start_instance,
)
from tests.services.diagrams import flows, process

pytestmark = pytest.mark.django_db

TASK = process(
    "task",
    '<bpmn:startEvent id="start"/><bpmn:userTask id="review" camunda:assignee="sally"/>'
    '<bpmn:endEvent id="end"/>' + flows(("start", "review"), ("review", "end")),
)
SCRIPT_INF = process(
    "script_inf",
    '<bpmn:startEvent id="start"/><bpmn:scriptTask id="calc" scriptFormat="python">'
    "<bpmn:script>x = 1e308 * 10</bpmn:script></bpmn:scriptTask>"
    '<bpmn:userTask id="after" camunda:assignee="sally"/>'
    + flows(("start", "calc"), ("calc", "after")),
)
RECEIVE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
    b'targetNamespace="http://procession.example/test">'
    b'<bpmn:message id="m" name="paid"/><bpmn:process id="receive" isExecutable="true">'
    b'<bpmn:startEvent id="start"/><bpmn:receiveTask id="wait" messageRef="m"/>'
    b'<bpmn:userTask id="after"/>'
    + flows(("start", "wait"), ("wait", "after")).encode()
    + b"</bpmn:process></bpmn:definitions>"
)


def deep(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


UNSTORABLE = {
    "nan": float("nan"),
    "infinity": float("inf"),
    "nul": "a\x00b",
    "surrogate": "\ud800",
    "deep": deep(1_000),
    "set": {1, 2},
    "bytes": b"raw",
    "huge_int": 10**5000,
    "bad_key": {"a\x00": 1},
    "object": object(),
}


@pytest.fixture
def sally(db):
    return User.objects.create_user("sally", password="x")


@pytest.mark.parametrize("name", list(UNSTORABLE))
def test_an_unstorable_start_variable_is_refused_naming_it(name):
    deploy_definition(name="task", resources={"task.bpmn": TASK})
    with pytest.raises(InvalidVariableError) as refused:
        start_instance(definition_key="task", variables={"ok": 1, name: UNSTORABLE[name]})
    assert refused.value.name == name
    assert refused.value.code == "invalid-variable"
    assert name in str(refused.value)
    assert not ProcessInstance.objects.exists()


@pytest.mark.parametrize("name", ["nan", "surrogate", "deep", "set"])
def test_unstorable_variables_are_refused_by_every_command_that_takes_them(name, sally):
    deploy_definition(name="task", resources={"task.bpmn": TASK})
    instance = start_instance(definition_key="task")
    task = instance.user_tasks.get()
    with pytest.raises(InvalidVariableError):
        set_variables(instance_id=instance.pk, variables={name: UNSTORABLE[name]})
    with pytest.raises(InvalidVariableError):
        complete_user_task(task_id=task.pk, user=sally, variables={name: UNSTORABLE[name]})
    with pytest.raises(InvalidVariableError):
        complete_user_task(task_id=task.pk, user=sally, local_variables={name: UNSTORABLE[name]})
    with pytest.raises(InvalidVariableError):
        correlate_message(message_name="x", variables={name: UNSTORABLE[name]})


@pytest.mark.parametrize("name", ["", "n" * 256, 7])
def test_a_variable_name_that_cannot_be_stored_is_refused(name):
    deploy_definition(name="task", resources={"task.bpmn": TASK})
    with pytest.raises(InvalidVariableError):
        start_instance(definition_key="task", variables={name: 1})


def test_a_variable_larger_than_the_limit_is_refused(settings):
    settings.PROCESSION_MAX_VARIABLE_BYTES = 1_000
    deploy_definition(name="task", resources={"task.bpmn": TASK})
    for value in ("x" * 1_001, ["x" * 100] * 10, {"k": "é" * 600}):
        with pytest.raises(InvalidVariableError, match="PROCESSION_MAX_VARIABLE_BYTES"):
            start_instance(definition_key="task", variables={"big": value})
    start_instance(definition_key="task", variables={"fits": "x" * 900})


@pytest.mark.parametrize(
    ("value", "fits"),
    [
        ("\x01" * 6, False),  # 6 characters, 38 bytes once escaped
        ("é" * 15, True),  # 30 bytes in UTF-8
        ("x" * 30, True),
        ("x" * 31, False),
        (10**32, False),  # 33 digits
        (10**31, True),  # 32 digits
        (True, True),
        (None, True),
        (1.5, True),
    ],
)
def test_a_scalar_variable_is_measured_as_stored(settings, value, fits):
    settings.PROCESSION_MAX_VARIABLE_BYTES = 32
    check = functools.partial(start_instance, definition_key="task", variables={"v": value})
    deploy_definition(name="task", resources={"task.bpmn": TASK})
    if fits:
        check()
    else:
        with pytest.raises(InvalidVariableError, match="PROCESSION_MAX_VARIABLE_BYTES"):
            check()


@pytest.mark.parametrize(
    "arguments",
    [
        {"definition_key": "task", "business_key": "k" * 256},
        {"definition_key": "t" * 300},
        {"definition_key": "task", "variables": ["not", "a", "mapping"]},
    ],
)
def test_arguments_longer_than_their_columns_are_refused_with_a_typed_error(arguments):
    deploy_definition(name="task", resources={"task.bpmn": TASK})
    with pytest.raises(InvalidCommandError):
        start_instance(**arguments)


def test_a_script_producing_infinity_is_an_incident_not_a_failed_step():
    deploy_definition(name="script_inf", resources={"script_inf.bpmn": SCRIPT_INF})
    instance = start_instance(definition_key="script_inf")
    incident = Incident.objects.get(instance=instance)
    assert (incident.node_id, incident.kind) == ("calc", "variable")
    assert "'x'" in incident.message


def test_a_correlation_that_lost_the_race_gets_an_engine_error():
    deploy_definition(name="receive", resources={"receive.bpmn": RECEIVE})
    start_instance(definition_key="receive")
    seen = model_to_dict(EventSubscription.objects.get(), exclude=["id"])
    correlate_message(message_name="paid")
    # the loser read the subscription before the winner committed
    instance_id, definition_id = seen.pop("instance"), seen.pop("definition")
    EventSubscription.objects.create(**seen, instance_id=instance_id, definition_id=definition_id)
    with pytest.raises(InstanceStateError) as lost:
        correlate_message(message_name="paid")
    assert isinstance(lost.value, EngineError)


def test_floats_come_back_from_the_database_as_the_same_floats():
    deploy_definition(name="task", resources={"task.bpmn": TASK})
    values = {"big": 1e16, "bigger": -2.5e20, "huge": 1.7976931348623157e308, "tiny": 1e-7}
    values |= {"whole": 3.0, "int": 10**16, "nested": {"list": [1e16, 2**60]}}
    instance = start_instance(definition_key="task", variables=values)
    state = ProcessInstance.objects.get(pk=instance.pk).state
    stored = state["scopes"]["root"]["variables"] if "root" in state["scopes"] else None
    rows = {row.name: row.value for row in VariableRow.objects.filter(instance=instance)}
    for read in (rows, stored):
        if read is None:
            continue
        for name, value in values.items():
            assert read[name] == value
            assert type(read[name]) is type(value)
        assert type(read["nested"]["list"][0]) is float
        assert type(read["nested"]["list"][1]) is int


def test_a_handler_result_over_the_limit_is_refused_with_a_typed_error(settings):
    from bpmn_engine.errors import LimitExceededError
    from bpmn_engine.services.limits import check_handler_result_size

    settings.PROCESSION_MAX_HANDLER_RESULT_BYTES = 1_000
    check_handler_result_size({"fits": "x" * 900})
    with pytest.raises(LimitExceededError) as refused:
        check_handler_result_size({"big": "x" * 1_000})
    assert refused.value.limit == "PROCESSION_MAX_HANDLER_RESULT_BYTES"


def test_a_literal_assignee_longer_than_its_column_is_refused_at_deploy():
    """Refused by validation on both databases (PostgreSQL used to refuse the start with a
    database message; SQLite stored it)."""
    long_assignee = process(
        "long_assignee",
        f'<bpmn:startEvent id="start"/><bpmn:userTask id="review" camunda:assignee="{"u" * 151}"/>'
        + flows(("start", "review")),
    )
    with pytest.raises(DeploymentInvalidError, match="assignee"):
        deploy_definition(name="long", resources={"long.bpmn": long_assignee})


@pytest.mark.parametrize(
    "attribute", ['camunda:assignee="${who}"', 'camunda:candidateUsers="sally, ${who}"']
)
def test_an_assignee_evaluated_longer_than_its_column_is_an_incident_on_the_task(attribute):
    """Not a refused start (PostgreSQL's 'value too long') and not a stored overlong name
    (SQLite): the instance starts and the task's token stops with an incident."""
    deploy_definition(
        name="who",
        resources={
            "who.bpmn": process(
                "who",
                f'<bpmn:startEvent id="start"/><bpmn:userTask id="review" {attribute}/>'
                + flows(("start", "review")),
            )
        },
    )
    instance = start_instance(definition_key="who", variables={"who": "u" * 151})
    incident = Incident.objects.get(instance=instance)
    assert (incident.node_id, incident.kind) == ("review", "expression")
    assert "at most 150 characters, but it has 151" in incident.message
    assert not instance.user_tasks.exists()
