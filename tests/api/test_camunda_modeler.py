"""Camunda Modeler's Deploy and Start buttons, byte for byte as the Modeler sends them."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from bpmn_engine.models import Deployment, ProcessInstance
from tests.api import diagrams

pytestmark = pytest.mark.django_db

BOUNDARY = "----formdata-undici-032998176025"


def basic(user: str, password: str = "procession") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def modeler_deploy_body(name: str, filename: str, xml: str, extra: str = "") -> bytes:
    """The multipart body of the Modeler's deploy (parts and order from its CamundaAPI)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="deployment-name"\r\n\r\n{name}\r\n',
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="deployment-source"\r\n\r\n'
        "Camunda Modeler\r\n",
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="enable-duplicate-filtering"'
        "\r\n\r\ntrue\r\n",
        extra,
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{filename}"; '
        f'filename="{filename}"\r\nContent-Type: text/xml\r\n\r\n{xml}\r\n',
        f"--{BOUNDARY}--\r\n",
    ]
    return "".join(parts).encode()


@pytest.fixture
def modeler(users):
    client = Client()
    headers = {"HTTP_ACCEPT": "application/json", "HTTP_AUTHORIZATION": basic("developer")}

    def send(method: str, path: str, **kwargs):
        return getattr(client, method)(path, **headers, **kwargs)

    return send


@pytest.mark.parametrize("prefix", ["/engine-rest", "/rest"])
def test_connection_check_version_deploy_and_start_as_the_modeler_sends_them(modeler, prefix):
    check = modeler("get", f"{prefix}/deployment?maxResults=0")
    assert check.status_code == 200 and check.json() == []
    assert modeler("get", f"{prefix}/version").json()["version"].startswith("7.")
    deployed = modeler(
        "post",
        f"{prefix}/deployment/create",
        data=modeler_deploy_body("order", "order.bpmn", diagrams.ORDER),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert deployed.status_code == 200, deployed.content
    answer = deployed.json()
    assert answer["name"] == "order" and answer["source"] == "Camunda Modeler"
    assert answer["deployedCaseDefinitions"] is None
    assert {"links", "id", "deploymentTime", "tenantId"} <= answer.keys()
    (definition,) = answer["deployedProcessDefinitions"].values()
    assert definition["key"] == "order" and definition["version"] == 1
    assert definition["deploymentId"] == answer["id"]
    started = modeler(
        "post",
        f"{prefix}/process-definition/{definition['id']}/start",
        data=json.dumps(
            {"businessKey": "B-7", "variables": {"amount": {"value": 3, "type": "Integer"}}}
        ),
        content_type="application/json",
    )
    assert started.status_code == 200, started.content
    instance = started.json()
    assert instance["definitionId"] == definition["id"] and instance["businessKey"] == "B-7"
    assert instance["ended"] is False
    row = ProcessInstance.objects.get(pk=int(instance["id"]))
    assert row.variable_rows.get(name="amount").value == 3


def test_unchanged_redeploy_answers_null_definitions_and_deploys_nothing_new(modeler):
    body = modeler_deploy_body("order", "order.bpmn", diagrams.ORDER)
    kind = f"multipart/form-data; boundary={BOUNDARY}"
    first = modeler("post", "/rest/deployment/create", data=body, content_type=kind).json()
    again = modeler("post", "/rest/deployment/create", data=body, content_type=kind).json()
    assert again["id"] == first["id"]
    assert again["deployedProcessDefinitions"] is None
    assert Deployment.objects.count() == 1


def test_parse_error_is_400_with_the_engine_09005_prefix_and_line_details(modeler):
    response = modeler(
        "post",
        "/engine-rest/deployment/create",
        data=modeler_deploy_body("broken", "broken.bpmn", diagrams.BROKEN),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "ParseException"
    assert body["message"].startswith("ENGINE-09005 Could not parse BPMN process.")
    errors = body["details"]["broken.bpmn"]["errors"]
    assert any(e["mainBpmnElementId"] == "f1" and e["line"] > 0 for e in errors)
    assert not Deployment.objects.exists()


def test_tenant_and_old_deploy_changed_only_fields_are_accepted(modeler):
    extra = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="tenant-id"\r\n\r\nacme\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="deploy-changed-only"\r\n\r\n'
        "true\r\n"
    )
    response = modeler(
        "post",
        "/rest/deployment/create",
        data=modeler_deploy_body("order", "order.bpmn", diagrams.ORDER, extra),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 200


def test_a_non_file_part_that_is_not_reserved_is_refused(modeler):
    extra = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="surprise"\r\n\r\nx\r\n'
    response = modeler(
        "post",
        "/rest/deployment/create",
        data=modeler_deploy_body("order", "order.bpmn", diagrams.ORDER, extra),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 400
    assert response.json()["type"] == "InvalidRequestException"


def test_wrong_password_is_401_and_business_user_deploy_is_403(users):
    client = Client()
    wrong = client.get(
        "/rest/deployment?maxResults=0", HTTP_AUTHORIZATION=basic("developer", "nope")
    )
    assert wrong.status_code == 401
    assert wrong.json()["type"] == "AuthenticationException"
    anonymous = client.get("/engine-rest/deployment?maxResults=0")
    assert anonymous.status_code == 401  # not 404: the Modeler then suggests /engine-rest
    sally = client.post(
        "/rest/deployment/create",
        data=modeler_deploy_body("order", "order.bpmn", diagrams.ORDER),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_AUTHORIZATION=basic("sally"),
    )
    assert sally.status_code == 403
    assert sally.json()["type"] == "AuthorizationException"


def test_well_known_webapps_points_at_our_pages_without_auth(db):
    body = Client().get("/.well-known/camunda-automation-platform/webapps").json()
    assert body["cockpitUrl"].endswith("/admin/")
    assert body["tasklistUrl"].endswith("/")
