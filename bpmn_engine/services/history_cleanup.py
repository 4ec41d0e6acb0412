"""History time-to-live: remove the history of long-ended instances, never their audit trail.

A definition's ``camunda:historyTimeToLive`` (days, ``P<n>D`` or a number) says how long
the rows of its ended instances are kept (instance, activity history, variables, tasks,
jobs, incidents). Without a time-to-live nothing is removed. Audit events are not touched:
they have no foreign key to the instance and stay; each removal adds a ``history.cleaned``
event to the instance's chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from bpmn_engine.audit import record
from bpmn_engine.models import ProcessDefinition, ProcessInstance
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.instances import InstanceStatus
from bpmn_engine.persistence.definitions_cache import process_for
from bpmn_engine.services.transactions import command

_DAYS = re.compile(r"^(?:P(\d+)D|(\d+))$")


def time_to_live(text: str | None) -> timedelta | None:
    """``"180"`` or ``"P180D"`` as a timedelta; None for no (or an unreadable) value."""
    match = _DAYS.match((text or "").strip())
    if match is None:
        return None
    return timedelta(days=int(match.group(1) or match.group(2)))


@dataclass(frozen=True)
class CleanupPlan:
    definition_id: int
    ttl: timedelta
    instance_ids: list[int]


def cleanup_plan(
    *, now: datetime | None = None, default_ttl: timedelta | None = None
) -> list[CleanupPlan]:
    """Which ended instances are past their definition's time-to-live (top-level ones;
    called instances go with their parent)."""
    now = now or timezone.now()
    plans = []
    for definition in ProcessDefinition.objects.select_related("resource").order_by("pk"):
        ttl = time_to_live(process_for(definition).history_time_to_live) or default_ttl
        if ttl is None:
            continue
        ids = list(
            ProcessInstance.objects.filter(
                definition=definition,
                parent__isnull=True,
                ended_at__lt=now - ttl,
            )
            .exclude(status=InstanceStatus.ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            plans.append(CleanupPlan(definition.pk, ttl, ids))
    return plans


def _family(instance_id: int) -> list[int]:
    """The instance and every instance it called, children after their parents."""
    found, frontier = [instance_id], [instance_id]
    while frontier:
        frontier = list(
            ProcessInstance.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        found += frontier
    return found


@command
def remove_instance_history(*, instance_id: int, ttl: timedelta, user=None) -> int:
    """Delete one ended instance's history rows (with its called instances), deepest first;
    returns how many instances went. Its audit events stay, plus ``history.cleaned``."""
    family = _family(instance_id)
    if ProcessInstance.objects.filter(pk__in=family, status=InstanceStatus.ACTIVE).exists():
        return 0
    for pk in reversed(family):
        record(
            AuditEventType.HISTORY_CLEANED,
            user=user,
            instance_id=pk,
            data={"time_to_live_days": ttl.days, "removed_with": instance_id},
        )
        ProcessInstance.objects.filter(pk=pk).delete()
    return len(family)
