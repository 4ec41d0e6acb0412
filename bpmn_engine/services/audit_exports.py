"""Recording that someone exported audit events (exports are audited themselves)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from bpmn_engine.audit import record
from bpmn_engine.models import AuditEvent
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.services.transactions import command


@command
def record_audit_export(
    *,
    user: Any,
    export_format: str,
    scope: dict[str, Any],
    instance_id: int | None = None,
    definition_id: int | None = None,
) -> int:
    """Record the export and return the id it covers up to (the newest event before this
    one), so the exported set is fixed even while the engine keeps writing. One instance's
    export joins that instance's chain; a set export joins the ``system`` chain."""
    up_to = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    record(
        AuditEventType.AUDIT_EXPORTED,
        user=user,
        instance_id=instance_id,
        definition_id=definition_id,
        data={"format": export_format, "scope": scope, "up_to_id": up_to},
    )
    return up_to
