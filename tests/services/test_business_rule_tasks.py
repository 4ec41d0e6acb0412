"""Business-rule tasks evaluate deployed DMN decisions inside the step."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from bpmn_engine.errors import DecisionEvaluationError, DeploymentInvalidError, NotFoundError
from bpmn_engine.models import DecisionDefinition, DecisionEvaluation, Incident, Job, UserTask
from bpmn_engine.services import complete_job, complete_user_task, deploy_definition, start_instance
from bpmn_engine.services.decisions import evaluate_decision
from tests.services.conftest import T0
from tests.shared_data import CORPUS_DIR, require

pytestmark = pytest.mark.django_db
INVOICE = CORPUS_DIR / "camunda7" / "invoice"


@pytest.fixture
def invoice_example() -> None:
    """Camunda's invoice example from the shared corpus: skipped without it, failed under
    CI=true."""
    require(INVOICE, "Camunda's invoice example")


def _deploy_invoice():
    names = ("invoice.v2.bpmn", "invoiceBusinessDecisions.dmn", "reviewInvoice.bpmn")
    return deploy_definition(
        name="invoice", resources={n: (INVOICE / n).read_bytes() for n in names}
    )


def _member_of(*groups: str) -> User:
    user = User.objects.create_user("-".join(groups), password="procession")
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.mark.usefixtures("invoice_example")
def test_camundas_invoice_example_runs_to_its_end_through_its_decisions_and_user_tasks():
    result = _deploy_invoice()
    assert {d.key for d in result.decisions} == {"invoiceClassification", "invoice-assign-approver"}
    instance = start_instance(
        definition_key="invoice",
        variables={"amount": 30, "invoiceCategory": "Misc", "creditor": "Great Pizza"},
        now=T0,
    )
    assert instance.variable_rows.get(name="approverGroups").value == ["accounting", "sales"]
    evaluation = DecisionEvaluation.objects.get(instance=instance)
    assert evaluation.element_id == "assignApprover"
    classification, approver = evaluation.details
    assert classification["value"] == "day-to-day expense"
    assert classification["tables"][0]["inputs"] == [30, "Misc"]
    assert approver["tables"][0]["matched_rules"] == [1, 2]

    approve = UserTask.objects.get(instance=instance, node_id="approveInvoice")
    complete_user_task(
        task_id=approve.pk, user=_member_of("accounting"), variables={"approved": True}, claim=True
    )
    transfer = UserTask.objects.get(instance=instance, node_id="prepareBankTransfer")
    complete_user_task(task_id=transfer.pk, user=User.objects.get(), claim=True)
    archive = Job.objects.get(instance=instance, state="pending")
    complete_job(job_id=archive.pk, variables={})
    instance.refresh_from_db()
    assert instance.status == "completed"


@pytest.mark.usefixtures("invoice_example")
def test_a_missing_decision_is_a_clear_incident():
    bpmn = (
        (INVOICE / "invoice.v2.bpmn")
        .read_bytes()
        .replace(b"invoice-assign-approver", b"no-such-decision")
    )
    deploy_definition(name="broken", resources={"invoice.bpmn": bpmn})
    instance = start_instance(definition_key="invoice", variables={"amount": 30}, now=T0)
    incident = Incident.objects.get(instance=instance)
    assert incident.kind == "decision"
    assert "no-such-decision" in incident.message


@pytest.mark.usefixtures("invoice_example")
def test_a_dmn_file_deploys_alone_and_versions_when_changed():
    dmn = (INVOICE / "invoiceBusinessDecisions.dmn").read_bytes()
    first = deploy_definition(name="rules", resources={"rules.dmn": dmn})
    again = deploy_definition(name="rules", resources={"rules.dmn": dmn})
    changed = deploy_definition(
        name="rules", resources={"rules.dmn": dmn.replace(b'"accounting"', b'"finance"')}
    )
    assert again.duplicate and not first.duplicate
    versions = DecisionDefinition.objects.filter(key="invoice-assign-approver")
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]
    answer = evaluate_decision(
        key="invoice-assign-approver", variables={"amount": 30, "invoiceCategory": "Misc"}
    )
    assert answer == {"Assign Approver Group": ["finance", "sales"]}
    assert changed.decisions[0].version == 2


def test_an_invalid_dmn_is_refused_with_its_line_and_element():
    dmn = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"
      name="d" namespace="n"><decision id="d1" name="D">
      <decisionTable id="t" hitPolicy="SOMETIMES"><output id="o"/></decisionTable>
      </decision></definitions>"""
    with pytest.raises(DeploymentInvalidError) as refused:
        deploy_definition(name="bad", resources={"bad.dmn": dmn})
    (issue,) = refused.value.issues["bad.dmn"]
    assert (issue.element_id, issue.line) == ("t", 3)


def test_evaluating_unknown_or_failing_decisions_raises_engine_errors():
    with pytest.raises(NotFoundError):
        evaluate_decision(key="nothing", variables={})
    dmn = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"
      name="d" namespace="n"><decision id="both" name="Both"><decisionTable id="t">
      <input id="i"><inputExpression><text>x</text></inputExpression></input>
      <output id="o" name="r"/>
      <rule id="r1"><inputEntry><text>&gt; 1</text></inputEntry><outputEntry><text>1</text>
      </outputEntry></rule>
      <rule id="r2"><inputEntry><text>&gt; 2</text></inputEntry><outputEntry><text>2</text>
      </outputEntry></rule></decisionTable></decision></definitions>"""
    deploy_definition(name="unique", resources={"unique.dmn": dmn})
    with pytest.raises(DecisionEvaluationError, match="UNIQUE"):
        evaluate_decision(key="both", variables={"x": 5})


def _greeting_dmn(word: str) -> bytes:
    return f"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="g"
      name="g" namespace="n"><decision id="greeting" name="Greeting">
      <literalExpression><text>"{word}"</text></literalExpression></decision>
      </definitions>""".encode()


def _greeter_bpmn(binding: str, version: str = "") -> bytes:
    pinned = f' camunda:decisionRefVersion="{version}"' if version else ""
    return f"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs"
      targetNamespace="t"><process id="greeter" isExecutable="true">
      <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="r"/>
      <businessRuleTask id="r" camunda:decisionRef="greeting"
        camunda:decisionRefBinding="{binding}"{pinned}
        camunda:resultVariable="word" camunda:mapDecisionResult="singleEntry"/>
      <sequenceFlow id="f2" sourceRef="r" targetRef="e"/><endEvent id="e"/>
      </process></definitions>""".encode()


def _greet() -> str:
    instance = start_instance(definition_key="greeter", variables={}, now=T0)
    return instance.variable_rows.get(name="word").value


def test_deployment_binding_takes_the_decision_deployed_with_the_calling_process():
    deploy_definition(
        name="app",
        resources={"p.bpmn": _greeter_bpmn("deployment"), "g.dmn": _greeting_dmn("hello")},
    )
    deploy_definition(name="rules", resources={"g.dmn": _greeting_dmn("bonjour")})
    assert _greet() == "hello"
    deploy_definition(
        name="app",
        resources={"p.bpmn": _greeter_bpmn("deployment"), "g.dmn": _greeting_dmn("hallo")},
    )
    assert _greet() == "hallo"


def test_deployment_binding_without_the_decision_in_that_deployment_is_an_incident():
    deploy_definition(name="rules", resources={"g.dmn": _greeting_dmn("hello")})
    deploy_definition(name="app", resources={"p.bpmn": _greeter_bpmn("deployment")})
    instance = start_instance(definition_key="greeter", variables={}, now=T0)
    incident = Incident.objects.get(instance=instance)
    assert incident.kind == "decision" and "greeting" in incident.message


def test_version_binding_takes_the_pinned_decision_version():
    for word in ("one", "two", "three"):
        deploy_definition(name="rules", resources={"g.dmn": _greeting_dmn(word)})
    deploy_definition(name="app", resources={"p.bpmn": _greeter_bpmn("version", "2")})
    assert _greet() == "two"
    deploy_definition(name="app", resources={"p.bpmn": _greeter_bpmn("latest")})
    assert _greet() == "three"


def test_a_zeebe_called_decision_evaluates_in_the_step_into_its_result_variable():
    bpmn = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="t">
      <process id="greeter8" isExecutable="true">
      <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="r"/>
      <businessRuleTask id="r"><extensionElements>
        <zeebe:calledDecision decisionId="greeting" resultVariable="word"/>
      </extensionElements></businessRuleTask>
      <sequenceFlow id="f2" sourceRef="r" targetRef="e"/><endEvent id="e"/>
      </process></definitions>"""
    deploy_definition(name="c8", resources={"p.bpmn": bpmn, "g.dmn": _greeting_dmn("hej")})
    instance = start_instance(definition_key="greeter8", variables={}, now=T0)
    assert instance.status == "completed"
    assert instance.variable_rows.get(name="word").value == "hej"
    assert not Job.objects.filter(instance=instance).exists()
    assert DecisionEvaluation.objects.get(instance=instance).element_id == "r"
