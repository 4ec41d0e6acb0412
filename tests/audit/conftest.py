"""Audit test helpers: read one instance's trail as (type, actor, element, data) tuples."""

from __future__ import annotations

import json
from typing import Any

from bpmn_engine.models import AuditEvent
from tests.jobs.conftest import journal  # noqa: F401  (fixture)
from tests.services.conftest import users  # noqa: F401  (fixture)


def trail(instance_id: int | None = None, **filters: Any) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(**filters)
    if instance_id is not None:
        events = events.filter(instance_id=instance_id)
    return list(events.order_by("id"))


def of_type(events: list[AuditEvent], event_type: str) -> list[AuditEvent]:
    return [e for e in events if e.event_type == event_type]


def data(event: AuditEvent) -> dict[str, Any]:
    return json.loads(event.data)
