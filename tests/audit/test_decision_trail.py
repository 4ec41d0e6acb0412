"""A business-rule task's decision is in the audit trail: an auditor sees which rules
matched, on which inputs, with which outputs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from bpmn_engine.models import ProcessInstance
from bpmn_engine.services import deploy_definition, start_instance
from tests.audit.test_audit_api import client_for
from tests.services.conftest import T0
from tests.shared_data import CORPUS_DIR, require

pytestmark = pytest.mark.django_db
INVOICE = CORPUS_DIR / "camunda7" / "invoice"


def invoice_started() -> tuple[ProcessInstance, APIClient]:
    """Camunda's invoice example started with 30 Misc, and an auditor granted on it."""
    require(INVOICE, "Camunda's invoice example")
    names = ("invoice.v2.bpmn", "invoiceBusinessDecisions.dmn", "reviewInvoice.bpmn")
    deployed = deploy_definition(
        name="invoice", resources={n: (INVOICE / n).read_bytes() for n in names}
    )
    instance = start_instance(
        definition_key="invoice",
        variables={"amount": 30, "invoiceCategory": "Misc", "creditor": "Great Pizza"},
        now=T0,
    )
    return instance, client_for("audrey", *deployed.definitions)


def test_an_auditor_sees_the_matched_rules_inputs_and_outputs_of_a_decision():
    instance, auditor = invoice_started()
    events = auditor.get(f"/api/v1/audit/instances/{instance.pk}/events/").json()["results"]
    (decided,) = [e for e in events if e["event_type"] == "decision.evaluated"]
    assert decided["element_id"] == "assignApprover"
    assert decided["data"]["decision"] == "invoice-assign-approver"
    classification, approver = decided["data"]["evaluations"]
    assert classification["tables"][0]["inputs"] == [30, "Misc"]
    assert classification["value"] == "day-to-day expense"
    assert approver["tables"][0]["matched_rules"] == [1, 2]
    assert approver["tables"][0]["outputs"] == ["accounting", "sales"]


def test_the_auditor_timeline_page_shows_each_decision_with_its_rules_and_outputs():
    instance, _ = invoice_started()
    browser = Client()
    browser.force_login(User.objects.get(username="audrey"))
    page = browser.get(f"/audit/instances/{instance.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    section = html[html.index("Decision <strong>invoice-assign-approver</strong>") :]
    section = section[: section.index('<td class="hash"')]
    assert section.count('<section class="decision">') == 2
    assert '<th scope="row">Inputs</th><td>30, Misc</td>' in section
    assert '<th scope="row">Matched rules</th><td>1, 2 ' in section
    assert '<th scope="row">Outputs</th><td>accounting, sales</td>' in section
    assert "Result: day-to-day expense" in section
