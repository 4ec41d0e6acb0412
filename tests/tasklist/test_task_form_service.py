"""The form services: which form a task or start event shows, server-side validation of
submissions, typed variables, the permission policy and the audit trail."""

from __future__ import annotations

import json

import pytest

from bpmn_engine.errors import (
    DeploymentInvalidError,
    ForbiddenError,
    FormValidationError,
    NotFoundError,
    TaskNotAssignedError,
)
from bpmn_engine.models import AuditEvent, ProcessInstance, UserTask
from bpmn_engine.services import claim_user_task, deploy_definition, start_instance
from bpmn_engine.services.task_forms import (
    start_form,
    submit_start_form,
    submit_task_form,
    task_form,
)
from tests.tasklist.form_fixtures import FIXTURES, T0, deploy_order_intake, people_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake(people):
    return deploy_order_intake()


@pytest.fixture
def sales_task(intake, people):
    instance = submit_start_form(
        definition_id=intake.pk, user=people["sally"], values={"customer": "ACME"}, now=T0
    )
    return instance.user_tasks.get()


def enter_order(task, user, **values):
    return submit_task_form(task_id=task.pk, user=user, values=values, claim=True, now=T0)


def test_the_start_form_is_the_generated_form_of_the_start_event(intake, people):
    form = start_form(definition_id=intake.pk, user=people["sally"])
    assert form.kind == "generated"
    assert [f.key for f in form.spec.fields] == ["customer"]


def test_a_start_form_submission_is_validated_before_anything_starts(intake, people):
    with pytest.raises(FormValidationError) as caught:
        submit_start_form(definition_id=intake.pk, user=people["sally"], values={"customer": ""})
    assert caught.value.field_errors == {"customer": ("This field is required.",)}
    assert not ProcessInstance.objects.exists()


def test_starting_through_the_form_sets_typed_variables_and_the_business_key(intake, people):
    instance = submit_start_form(
        definition_id=intake.pk,
        user=people["sally"],
        values={"customer": "ACME"},
        business_key=" ORDER-7 ",
    )
    assert instance.business_key == "ORDER-7"
    assert instance.started_by == people["sally"]
    assert instance.variable_rows.get(name="customer").value == "ACME"


@pytest.mark.parametrize(("who", "error"), [("frank", NotFoundError), ("audrey", ForbiddenError)])
def test_who_may_not_start_gets_no_start_form(intake, people, who, error):
    with pytest.raises(error):
        start_form(definition_id=intake.pk, user=people[who])
    with pytest.raises(error):
        submit_start_form(definition_id=intake.pk, user=people[who], values={"customer": "X"})
    assert not ProcessInstance.objects.exists()


def test_the_sales_task_shows_its_generated_form_with_variables_and_defaults(sales_task, people):
    form = task_form(task_id=sales_task.pk, user=people["sally"])
    assert form.kind == "generated"
    assert form.initial == {"customer": "ACME", "region": "north", "approved": True}
    assert [o.value for o in form.options["region"]] == ["north", "south", "export"]


def test_the_sales_form_refuses_bad_values_and_the_task_stays_open(sales_task, people):
    with pytest.raises(FormValidationError) as caught:
        enter_order(sales_task, people["sally"], amount="0", customer="ACME", region="mars")
    assert caught.value.field_errors == {
        "amount": ("Enter 1 or more.",),
        "region": ("Choose one of the offered options.",),
    }
    sales_task.refresh_from_db()
    assert sales_task.state == "open" and sales_task.assignee == ""


def test_a_valid_sales_form_completes_with_typed_variables_and_the_audit_has_them(
    sales_task, people
):
    enter_order(
        sales_task,
        people["sally"],
        customer="ACME",
        amount="1200",
        region="south",
        delivery="2026-04-01",
        approved="true",
    )
    instance = sales_task.instance
    values = dict(instance.variable_rows.values_list("name", "value"))
    assert values["amount"] == 1200 and values["approved"] is True
    assert values["delivery"] == "2026-04-01"
    completed = AuditEvent.objects.get(event_type="task.completed", instance_id=instance.pk)
    data = json.loads(completed.data) if isinstance(completed.data, str) else completed.data
    assert data["values"]["amount"] == 1200 and data["completed_by"] == "sally"
    finance = instance.user_tasks.get(state="open")
    assert finance.node_id == "CheckPayment"


def test_the_finance_task_shows_the_deployed_form_js_form(sales_task, people):
    enter_order(sales_task, people["sally"], customer="ACME", amount=50)
    finance = UserTask.objects.get(node_id="CheckPayment")
    form = task_form(task_id=finance.pk, user=people["frank"])
    assert form.kind == "form-js"
    assert form.spec.form_id == "payment-check"
    assert form.spec.schema["components"][0]["type"] == "text"
    assert form.initial == {"customer": "ACME", "amount": 50}


def test_the_form_js_form_is_validated_on_the_server_and_readonly_values_ignored(
    sales_task, people
):
    enter_order(sales_task, people["sally"], customer="ACME", amount=50)
    finance = UserTask.objects.get(node_id="CheckPayment")
    with pytest.raises(FormValidationError) as caught:
        submit_task_form(
            task_id=finance.pk,
            user=people["frank"],
            values={"invoice_number": "1234", "paid_amount": 50, "payment_method": "cash"},
            claim=True,
        )
    assert set(caught.value.field_errors) == {"invoice_number", "payment_method"}
    submit_task_form(
        task_id=finance.pk,
        user=people["frank"],
        values={
            "invoice_number": "INV-2026",
            "paid_amount": "49.95",
            "payment_method": "card",
            "payment_matched": False,
            "customer": "forged",
            "amount": 1,
        },
        claim=True,
    )
    instance = finance.instance
    instance.refresh_from_db()
    assert instance.status == "completed"
    values = dict(instance.variable_rows.values_list("name", "value"))
    assert values["paid_amount"] == 49.95 and values["customer"] == "ACME"
    assert values["amount"] == 50


@pytest.mark.parametrize("who", ["frank", "audrey", "developer"])
def test_who_may_not_work_the_sales_task_cannot_submit_its_form(sales_task, people, who):
    error = NotFoundError if who != "developer" else ForbiddenError
    if who != "developer":
        with pytest.raises(NotFoundError):
            task_form(task_id=sales_task.pk, user=people[who])
    with pytest.raises(error):
        enter_order(sales_task, people[who], customer="X", amount=5)
    sales_task.refresh_from_db()
    assert sales_task.state == "open"


@pytest.mark.parametrize(
    ("who", "error"),
    [("frank", NotFoundError), ("audrey", NotFoundError), ("developer", ForbiddenError),
     ("sam", TaskNotAssignedError), ("sally", FormValidationError)],
)  # fmt: skip
def test_wrong_values_are_judged_only_after_who_may_complete_the_task(
    sales_task, people, who, error
):
    """Nobody learns the form's rules, or that the task exists, from its validation."""
    claim_user_task(task_id=sales_task.pk, user=people["sally"])
    with pytest.raises(error) as refused:
        enter_order(sales_task, people[who], customer="", amount=0)
    assert (type(refused.value) is FormValidationError) is (who == "sally")
    sales_task.refresh_from_db()
    assert (sales_task.state, sales_task.assignee) == ("open", "sally")


def test_a_task_another_user_holds_cannot_be_submitted(sales_task, people):
    claim_user_task(task_id=sales_task.pk, user=people["sam"])
    with pytest.raises(TaskNotAssignedError):
        enter_order(sales_task, people["sally"], customer="X", amount=5)


def test_a_missing_task_is_not_found(people):
    with pytest.raises(NotFoundError):
        task_form(task_id=987654, user=people["admin"])


FORMLESS = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">
  <process id="formless" isExecutable="true" camunda:candidateStarterGroups="sales">
    <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <userTask id="t" camunda:candidateGroups="sales" camunda:formKey="embedded:app:x.html"/>
    <sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>
  </process>
</definitions>"""


def test_a_task_with_an_external_form_key_takes_its_values_as_they_are(people):
    deploy_definition(name="formless", resources={"formless.bpmn": FORMLESS})
    task = start_instance(definition_key="formless", user=people["sally"]).user_tasks.get()
    form = task_form(task_id=task.pk, user=people["sally"])
    assert (form.kind, form.form_key, form.spec) == ("external", "embedded:app:x.html", None)
    submit_task_form(task_id=task.pk, user=people["sally"], values={"done": True}, claim=True)
    assert task.instance.variable_rows.get(name="done").value is True
    start = start_form(definition_id=task.instance.definition_id, user=people["sally"])
    assert start.kind == "none"


ZEEBE = """<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="c8" isExecutable="true">
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="userTaskForm_1">{FORM}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="embedded"/>
    <bpmn:userTask id="embedded"><bpmn:extensionElements>
      <zeebe:assignmentDefinition candidateGroups="sales"/>
      <zeebe:formDefinition formKey="camunda-forms:bpmn:userTaskForm_1"/>
    </bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="embedded" targetRef="linked"/>
    <bpmn:userTask id="linked"><bpmn:extensionElements>
      <zeebe:assignmentDefinition candidateGroups="finance"/>
      <zeebe:formDefinition formId="payment-check"/>
    </bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="linked" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
EMBEDDED = {"components": [{"type": "textfield", "key": "note", "validate": {"required": True}}]}


def test_camunda_8_embedded_and_linked_forms_are_found_and_validated(people):
    xml = ZEEBE.replace("{FORM}", json.dumps(EMBEDDED)).encode()
    form = (FIXTURES / "payment_check.form").read_bytes()
    deploy_definition(name="c8", resources={"c8.bpmn": xml, "payment_check.form": form})
    instance = start_instance(definition_key="c8")
    task = instance.user_tasks.get()
    resolved = task_form(task_id=task.pk, user=people["sally"])
    assert (resolved.kind, [f.key for f in resolved.spec.fields]) == ("form-js", ["note"])
    with pytest.raises(FormValidationError):
        submit_task_form(task_id=task.pk, user=people["sally"], values={}, claim=True)
    submit_task_form(task_id=task.pk, user=people["sally"], values={"note": "ok"}, claim=True)
    linked = instance.user_tasks.get(state="open")
    assert task_form(task_id=linked.pk, user=people["frank"]).spec.form_id == "payment-check"


def test_a_broken_embedded_form_fails_the_deployment(people):
    xml = ZEEBE.replace("{FORM}", '{"components": [{"type": "filepicker", "key": "f"}]}')
    with pytest.raises(DeploymentInvalidError, match="userTaskForm_1"):
        deploy_definition(name="c8", resources={"c8.bpmn": xml.encode()})
