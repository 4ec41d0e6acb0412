"""A Camunda Modeler 5 (Zeebe) diagram with FEEL runs as uploaded, through the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.runtime.test_feel_in_bpmn import MODELER_5

pytestmark = pytest.mark.django_db


def test_a_modeler_5_diagram_with_day_of_week_deploys_and_starts_over_the_api(client_for):
    developer = client_for("developer")
    upload = SimpleUploadedFile("weekday.bpmn", MODELER_5.encode(), content_type="text/xml")
    deployed = developer.post("/api/v1/deployments/", {"file": [upload]}, format="multipart")
    assert deployed.status_code == 201, deployed.content
    assert [d["key"] for d in deployed.json()["definitions"]] == ["weekday"]

    started = developer.post(
        "/api/v1/process-definitions/key/weekday/start/",
        {"variables": {"orders": [{"name": "ann", "amount": 5}]}},
        format="json",
    )
    assert started.status_code == 201, started.content
    today_is_tuesday = datetime.now(UTC).strftime("%A") == "Tuesday"
    expected = "on_tuesday" if today_is_tuesday else "on_other_days"
    assert started.json()["active_activities"] == [expected]
