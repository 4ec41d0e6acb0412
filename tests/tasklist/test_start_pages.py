"""The start pages: which definitions each role may start, the start form (generated or
form-js, with a no-JavaScript fallback), server-side validation, CSRF and escaping."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from bpmn_engine.models import ProcessInstance
from bpmn_engine.services import deploy_definition
from tests.tasklist.form_fixtures import XSS, deploy_order_intake, people_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(people, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(people[who])
    return client


@pytest.fixture
def intake(people):
    return deploy_order_intake()


def start_url(definition) -> str:
    return reverse("tasklist:start-definition", args=[definition.pk])


@pytest.mark.parametrize(
    ("who", "listed"),
    [("sally", True), ("sam", True), ("admin", True), ("developer", True), ("frank", False),
     ("audrey", False)],
)  # fmt: skip
def test_the_start_list_shows_what_each_role_may_start(intake, people, who, listed):
    response = client_for(people, who).get(reverse("tasklist:start"))
    assert response.status_code == 200
    assert (b"Order intake" in response.content) is listed
    assert (start_url(intake).encode() in response.content) is listed


def test_anonymous_users_are_sent_to_log_in(intake, people):
    for url in (reverse("tasklist:start"), start_url(intake)):
        response = client_for(people, "anonymous").get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    response = client_for(people, "anonymous").post(start_url(intake), {"f-customer": "X"})
    assert response.status_code == 302
    assert not ProcessInstance.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("frank", 404), ("audrey", 403)])
def test_who_may_not_start_cannot_open_or_post_the_start_page(intake, people, who, status):
    client = client_for(people, who)
    assert client.get(start_url(intake)).status_code == status
    assert client.post(start_url(intake), {"f-customer": "X"}).status_code == status
    assert not ProcessInstance.objects.exists()


def test_a_missing_definition_is_not_found(people):
    response = client_for(people, "admin").get(reverse("tasklist:start-definition", args=[999]))
    assert response.status_code == 404


def test_the_start_page_shows_the_generated_start_form(intake, people):
    response = client_for(people, "sally").get(start_url(intake))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="f-customer"' in html and 'maxlength="80"' in html
    assert 'name="business_key"' in html and 'id="submit-form-button"' in html


def test_a_refused_start_shows_friendly_errors_and_keeps_what_was_entered(intake, people):
    response = client_for(people, "sally").post(
        start_url(intake), {"f-customer": "x" * 81, "business_key": "ORDER-1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Customer: Enter at most 80 characters." in html
    assert 'value="ORDER-1"' in html
    assert not ProcessInstance.objects.exists()


def test_a_valid_start_redirects_to_the_inbox_with_a_message(intake, people):
    client = client_for(people, "sally")
    response = client.post(start_url(intake), {"f-customer": "ACME", "business_key": "ORDER-9"})
    assert response.status_code == 302
    instance = ProcessInstance.objects.get()
    assert instance.business_key == "ORDER-9"
    assert instance.variable_rows.get(name="customer").value == "ACME"
    page = client.get(response["Location"], follow=True)
    assert b"Started Order intake (ORDER-9)." in page.content


def test_posting_without_a_csrf_token_is_refused(intake, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["sally"])
    response = client.post(start_url(intake), {"f-customer": "ACME"})
    assert response.status_code == 403
    assert not ProcessInstance.objects.exists()


HOSTILE = f"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">
  <process id="hostile" name="Hostile" isExecutable="true" camunda:candidateStarterGroups="sales">
    <startEvent id="s"><extensionElements><camunda:formData>
      <camunda:formField id="pick" label="{XSS.replace('"', "&quot;").replace("<", "&lt;")}"
        type="enum">
        <camunda:value id="a" name="&lt;b onmouseover=alert(2)&gt;A"/>
      </camunda:formField>
    </camunda:formData></extensionElements></startEvent>
    <sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>
  </process>
</definitions>""".encode()


def test_labels_and_options_from_the_diagram_are_escaped(people):
    definition = deploy_definition(name="h", resources={"h.bpmn": HOSTILE}).definitions[0]
    html = client_for(people, "sally").get(start_url(definition)).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<b onmouseover" not in html


FORM_JS_START = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">
  <process id="claim" name="Expense claim" isExecutable="true"
    camunda:candidateStarterGroups="sales">
    <startEvent id="s" camunda:formKey="camunda-forms:deployment:claim.form"/>
    <sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>
  </process>
</definitions>"""
CLAIM_FORM = {
    "id": "claim",
    "components": [
        {"type": "text", "text": "</script><script>alert(1)</script>"},
        {"type": "number", "key": "total", "label": "Total", "validate": {"required": True}},
        {"type": "textfield", "key": "reason", "label": "Reason", "validate": {"maxLength": 10}},
    ],
}


@pytest.fixture
def claim(people):
    return deploy_definition(
        name="claim",
        resources={"claim.bpmn": FORM_JS_START, "claim.form": json.dumps(CLAIM_FORM).encode()},
    ).definitions[0]


def test_a_form_js_start_form_embeds_its_schema_safely_with_a_fallback(claim, people):
    html = client_for(people, "sally").get(start_url(claim)).content.decode()
    assert 'id="form-js-schema"' in html and "data-form-js" in html
    assert "vendor/form-js/form-viewer.umd.js" in html
    assert "</script><script>alert(1)" not in html  # json_script escapes < > &
    assert 'name="f-total"' in html and 'name="f-reason"' in html


def test_form_js_values_posted_by_the_viewer_are_validated_on_the_server(claim, people):
    client = client_for(people, "sally")
    refused = client.post(
        start_url(claim), {"form_js_values": json.dumps({"total": "lots", "admin": True})}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Total: Enter a number." in html and "admin: This field is not part of the form." in html
    assert not ProcessInstance.objects.exists()
    done = client.post(start_url(claim), {"form_js_values": json.dumps({"total": 12.5})})
    assert done.status_code == 302
    assert ProcessInstance.objects.get().variable_rows.get(name="total").value == 12.5


def test_the_no_javascript_fallback_of_a_form_js_form_is_validated_the_same_way(claim, people):
    client = client_for(people, "sally")
    refused = client.post(start_url(claim), {"f-total": "", "f-reason": "far too long here"})
    assert refused.status_code == 400
    assert b"Total: This field is required." in refused.content
    assert b"Reason: Enter at most 10 characters." in refused.content
    assert client.post(start_url(claim), {"f-total": "3"}).status_code == 302
    assert ProcessInstance.objects.get().variable_rows.get(name="total").value == 3


@pytest.mark.parametrize("payload", ["{not json", "[1,2]", json.dumps({"total": "x" * 2_000_000})])
def test_hostile_form_js_payloads_are_refused_without_starting(claim, people, payload):
    response = client_for(people, "sally").post(start_url(claim), {"form_js_values": payload})
    assert response.status_code in (400, 413)
    assert not ProcessInstance.objects.exists()


def test_a_definition_without_a_start_form_gets_a_plain_start_button(people):
    plain = deploy_definition(
        name="p", resources={"p.bpmn": FORM_JS_START.replace(
            b' camunda:formKey="camunda-forms:deployment:claim.form"', b"")}
    ).definitions[0]  # fmt: skip
    client = client_for(people, "sally")
    html = client.get(start_url(plain)).content.decode()
    assert 'data-form-kind="none"' in html and ">Start</button>" in html
    assert client.post(start_url(plain), {}).status_code == 302
    assert ProcessInstance.objects.count() == 1
