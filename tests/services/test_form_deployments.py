"""Camunda Forms (``.form``) deploy beside their diagrams and are checked first."""

from __future__ import annotations

import json

import pytest

from bpmn_engine.errors import DeploymentInvalidError
from bpmn_engine.models import Deployment
from bpmn_engine.services import deploy_definition
from tests.services.conftest import FIXTURES

pytestmark = pytest.mark.django_db
DIAGRAM = (FIXTURES / "forms" / "order_intake.bpmn").read_bytes()
FORM = (FIXTURES / "forms" / "payment_check.form").read_bytes()


def test_a_form_deploys_beside_its_diagram_and_is_stored_byte_for_byte():
    result = deploy_definition(
        name="orders", resources={"order_intake.bpmn": DIAGRAM, "payment_check.form": FORM}
    )
    assert [d.key for d in result.definitions] == ["order_intake"]
    stored = result.deployment.resources.get(name="payment_check.form")
    assert bytes(stored.content) == FORM


def test_a_form_alone_is_a_deployment_too():
    result = deploy_definition(name="forms only", resources={"payment_check.form": FORM})
    assert result.definitions == []
    assert result.deployment.resources.count() == 1


def test_an_unchanged_form_and_diagram_are_filtered_as_a_duplicate():
    resources = {"order_intake.bpmn": DIAGRAM, "payment_check.form": FORM}
    first = deploy_definition(name="orders", resources=resources)
    again = deploy_definition(name="orders", resources=resources)
    assert again.duplicate and again.deployment.pk == first.deployment.pk


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not JSON"),
        (json.dumps({"components": [{"type": "filepicker", "key": "f"}]}).encode(), "filepicker"),
        (
            json.dumps(
                {
                    "components": [
                        {"type": "textfield", "key": "x", "validate": {"pattern": "(a)\\1"}}
                    ]
                }
            ).encode(),
            "backreferences",
        ),
    ],
)
def test_a_broken_form_fails_the_whole_deployment(content, problem):
    with pytest.raises(DeploymentInvalidError, match=problem) as caught:
        deploy_definition(name="bad", resources={"order_intake.bpmn": DIAGRAM, "bad.form": content})
    assert list(caught.value.issues) == ["bad.form"]
    assert not Deployment.objects.exists()
