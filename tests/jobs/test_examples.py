"""The README's external-worker example runs as written."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from bpmn_engine.services import start_instance

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_external_worker_example_ships_an_order_and_routes_a_missing_address():
    readme = (ROOT / "README.md").read_text()
    command = "manage.py run_external_worker --topic ship --handler examples.workers:ship"
    assert command in readme
    call_command("deploy_bpmn", str(ROOT / "examples" / "shipping.bpmn"), stdout=StringIO())
    shipped = start_instance(
        definition_key="shipping", variables={"orderId": "A-17", "address": "1 Main St"}
    )
    unaddressed = start_instance(definition_key="shipping", variables={"orderId": "A-18"})
    out = StringIO()
    call_command(
        "run_external_worker",
        "--topic",
        "ship",
        "--handler",
        "examples.workers:ship",
        "--once",
        stdout=out,
    )
    assert "handled 2 task(s)" in out.getvalue()
    shipped.refresh_from_db()
    unaddressed.refresh_from_db()
    assert (shipped.status, unaddressed.status) == ("completed", "completed")
    assert shipped.variable_rows.get(name="trackingNumber").value == "TRK-A-17"
    assert unaddressed.activity_history.filter(node_id="AskForAddress").exists()
