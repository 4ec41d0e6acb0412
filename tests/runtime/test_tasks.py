"""Conformance: tasks (user, service/send/business rule, script, receive, manual, none)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_engine.bpmn import model as m
from bpmn_engine.dmn import DecisionModel, parse_dmn
from bpmn_engine.runtime import (
    ActivityCompleted,
    ActivityStarted,
    CompleteJob,
    IncidentRaised,
    InstanceCompleted,
    JobCompleted,
    JobCreated,
    UserTaskCompleted,
    UserTaskCreated,
    VariablesChanged,
)
from bpmn_engine.runtime.decisions import ResolvedDecision
from tests.runtime.builder import ProcessBuilder
from tests.runtime.harness import NOW, Driver


def test_none_and_manual_tasks_pass_the_token_through() -> None:
    b = ProcessBuilder().start().task("t").node(m.ManualTask, "manual").end()
    d = Driver(b.chain("start", "t", "manual", "end"))
    effects = d.start()
    assert d.state.status == "completed"
    assert [e.node_id for e in d.of(ActivityCompleted, effects)] == ["start", "t", "manual", "end"]
    assert d.state.completed_activities == ["t", "manual"]
    assert d.of(InstanceCompleted)[0].variables == {}


def test_user_task_waits_and_announces_assignment_evaluated() -> None:
    b = (
        ProcessBuilder()
        .start()
        .user_task(
            "review",
            assignee="${owner}",
            candidate_users=("ann, bob",),
            candidate_groups=("${group}",),
            due_date="P2D",
            priority="${prio}",
            form_key="embedded:app:review.html",
        )
        .end()
        .chain("start", "review", "end")
    )
    d = Driver(b)
    d.start(owner="carol", group="managers", prio=70)
    created = d.of(UserTaskCreated)[0]
    assert created.node_id == "review"
    assert created.assignee == "carol"
    assert created.candidate_users == ("ann", "bob")
    assert created.candidate_groups == ("managers",)
    assert created.due_at == NOW + timedelta(days=2)
    assert created.priority == 70
    assert created.form_key == "embedded:app:review.html"
    assert d.state.status == "active"


def test_user_task_priority_defaults_to_50() -> None:
    d = Driver(ProcessBuilder().start().user_task("u").end().chain("start", "u", "end"))
    d.start()
    assert d.of(UserTaskCreated)[0].priority == 50


def test_completing_a_user_task_writes_variables_and_continues() -> None:
    d = Driver(ProcessBuilder().start().user_task("u").end().chain("start", "u", "end"))
    d.start(a=1)
    effects = d.complete("u", approved=True)
    assert d.of(UserTaskCompleted, effects)[0].wait_id
    assert d.variables == {"a": 1, "approved": True}
    assert d.state.status == "completed"
    assert VariablesChanged("root", {"approved": True}) in effects


def test_user_task_local_variables_do_not_reach_the_process_scope() -> None:
    from bpmn_engine.runtime import CompleteUserTask

    d = Driver(ProcessBuilder().start().user_task("u").end().chain("start", "u", "end"))
    d.start()
    d.send(CompleteUserTask(d.wait_at("u"), {"kept": 1}, {"scratch": 2}, "ann"))
    assert d.variables == {"kept": 1}


def test_service_task_becomes_a_job_completed_by_a_trigger() -> None:
    b = ProcessBuilder().start().service_task("charge", "payment").end()
    d = Driver(b.chain("start", "charge", "end"))
    d.start(amount=10)
    job = d.of(JobCreated)[0]
    assert (job.job_type, job.retries, job.external, job.node_id) == ("payment", 3, False, "charge")
    assert d.state.visible_variables(job.scope_id) == {"amount": 10}
    effects = d.send(CompleteJob(job.wait_id, {"paid": True}))
    assert d.of(JobCompleted, effects)
    assert d.variables["paid"] is True
    assert d.state.status == "completed"


def test_send_and_business_rule_tasks_are_jobs_without_a_decision_provider() -> None:
    b = ProcessBuilder().start()
    b.node(m.SendTask, "send", job=m.JobDefinition(type="mail"), message_ref="M")
    b.node(m.BusinessRuleTask, "rule", job=m.JobDefinition(), decision_ref="dish")
    b.end().chain("start", "send", "rule", "end").message("M", "order-sent")
    d = Driver(b)
    d.start()
    assert d.of(JobCreated)[0].headers == {"messageName": "order-sent"}
    d.complete_job("send")
    rule = d.of(JobCreated)[1]
    assert (rule.job_type, rule.headers["decisionRef"]) == ("businessRuleTask", "dish")
    d.complete_job("rule", dish="pasta")
    assert d.state.status == "completed"


def test_script_task_runs_in_the_sandbox_and_writes_assigned_variables() -> None:
    b = ProcessBuilder().start().script_task("s", "total = price * qty").end()
    d = Driver(b.chain("start", "s", "end"))
    d.start(price=3, qty=4)
    assert d.variables["total"] == 12


def test_script_task_result_variable_gets_the_value() -> None:
    b = ProcessBuilder().start().script_task("s", "price * 2", result_variable="double").end()
    d = Driver(b.chain("start", "s", "end"))
    d.start(price=5)
    assert d.variables["double"] == 10


def test_failing_script_raises_an_incident_at_the_task() -> None:
    b = ProcessBuilder().start().script_task("s", "x = missing + 1").end()
    d = Driver(b.chain("start", "s", "end"))
    d.start()
    incident = d.of(IncidentRaised)[0]
    assert (incident.node_id, incident.kind) == ("s", "script")
    assert d.token_nodes() == ["s"]


def test_receive_task_waits_for_its_message() -> None:
    b = ProcessBuilder().start().receive_task("r", "Msg").end().message("Msg", "paid")
    d = Driver(b.chain("start", "r", "end"))
    d.start()
    assert d.state.waits[d.wait_at("r")].data["message_name"] == "paid"
    d.correlate("r", amount=5)
    assert d.variables == {"amount": 5}
    assert d.state.status == "completed"


def test_history_effects_can_be_switched_off() -> None:
    b = ProcessBuilder().start().task("t").end().chain("start", "t", "end")
    d = Driver(b, record_history=False)
    d.start()
    assert not d.of(ActivityStarted) and not d.of(ActivityCompleted)
    assert d.state.status == "completed"


def test_io_mapping_inputs_are_local_and_outputs_reach_the_parent() -> None:
    io = m.IoMapping(
        inputs=(m.Parameter(name="x", value="${a + 1}"),),
        outputs=(m.Parameter(name="result", value="${x * 10}"),),
    )
    b = ProcessBuilder().start().user_task("u", io_mapping=io).end()
    d = Driver(b.chain("start", "u", "end"))
    d.start(a=1)
    scope_id = d.of(UserTaskCreated)[0].scope_id
    assert scope_id != "root"
    assert d.state.scopes[scope_id].variables == {"x": 2}
    d.complete("u")
    assert d.variables == {"a": 1, "result": 20}
    assert set(d.state.scopes) == {"root"}


DISH = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
  namespace="n"><decision id="dish" name="Dish"><decisionTable id="t" hitPolicy="FIRST">
  <input id="i"><inputExpression><text>season</text></inputExpression></input>
  <output id="o" name="dish"/>
  <rule id="r1"><inputEntry><text>"Winter"</text></inputEntry>
    <outputEntry><text>"Roastbeef"</text></outputEntry></rule>
  <rule id="r2"><inputEntry><text>-</text></inputEntry>
    <outputEntry><text>"Salad"</text></outputEntry></rule>
  </decisionTable></decision></definitions>"""


@pytest.fixture
def dish_provider():
    """A decision lookup that knows one decision, ``dish``."""
    model = DecisionModel(parse_dmn(DISH))
    return lambda key, binding, version: (
        ResolvedDecision(key, 1, None, model) if key == "dish" else None
    )


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ("singleEntry", "Roastbeef"),
        ("singleResult", {"dish": "Roastbeef"}),
        ("collectEntries", ["Roastbeef"]),
        ("resultList", [{"dish": "Roastbeef"}]),
        ("value", "Roastbeef"),
    ],
)
def test_business_rule_task_evaluates_its_decision_in_the_step(dish_provider, mapping, expected):
    b = ProcessBuilder().start()
    job = m.JobDefinition(result_variable="meal")
    b.node(m.BusinessRuleTask, "rule", job=job, decision_ref="dish", map_decision_result=mapping)
    d = Driver(b.end().chain("start", "rule", "end"), decisions=dish_provider)
    d.start(season="Winter")
    assert d.state.status == "completed"
    assert d.variables["meal"] == expected
    assert not d.of(JobCreated)


def test_business_rule_task_with_an_unknown_decision_stops_with_an_incident(dish_provider):
    b = ProcessBuilder().start()
    b.node(m.BusinessRuleTask, "rule", job=m.JobDefinition(), decision_ref="drink")
    d = Driver(b.end().chain("start", "rule", "end"), decisions=dish_provider)
    d.start()
    (incident,) = d.of(IncidentRaised)
    assert incident.kind == "decision" and "drink" in incident.message


DUE = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
  namespace="n"><decision id="due" name="Due"><literalExpression>
  <text>date(start) + duration("P" + string(days) + "D")</text></literalExpression>
  </decision></definitions>"""


def test_a_decision_whose_date_passes_year_9999_stops_with_an_incident() -> None:
    model = DecisionModel(parse_dmn(DUE))

    def provider(key: str, binding: str, version: str | None) -> ResolvedDecision:
        return ResolvedDecision(key, 1, None, model)

    b = ProcessBuilder().start()
    job = m.JobDefinition(result_variable="due")
    b.node(m.BusinessRuleTask, "rule", job=job, decision_ref="due", map_decision_result="value")
    d = Driver(b.end().chain("start", "rule", "end"), decisions=provider)
    d.start(start="9999-12-30", days=5)
    (incident,) = d.of(IncidentRaised)
    assert incident.kind == "decision" and "10000-01-04" in incident.message
