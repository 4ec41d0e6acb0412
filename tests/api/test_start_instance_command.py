"""`manage.py start_instance` for shell users."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bpmn_engine.models import ProcessInstance

pytestmark = pytest.mark.django_db


def test_starts_the_latest_version_with_typed_variables_and_business_key(order):
    out = StringIO()
    call_command(
        "start_instance",
        "order",
        "--var",
        "amount=12",
        "--var",
        "rush=true",
        "--var",
        "note=hello world",
        "--business-key",
        "BK-9",
        stdout=out,
    )
    instance = ProcessInstance.objects.get()
    assert f"instance {instance.pk} of order version 1" in out.getvalue()
    assert instance.business_key == "BK-9"
    values = dict(instance.variable_rows.values_list("name", "value"))
    assert values == {"amount": 12, "rush": True, "note": "hello world"}


def test_unknown_key_and_malformed_var_are_command_errors(order):
    with pytest.raises(CommandError, match="nope"):
        call_command("start_instance", "nope")
    with pytest.raises(CommandError, match="name=value"):
        call_command("start_instance", "order", "--var", "novalue")
