"""Starting processes at their conditional start events (Camunda 7's
``RuntimeService.createConditionEvaluation().setVariables(...).evaluateStartConditions()``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from bpmn_engine.errors import NotFoundError
from bpmn_engine.models import ProcessDefinition, ProcessInstance
from bpmn_engine.persistence.definitions_cache import process_for
from bpmn_engine.runtime.start_conditions import conditional_start_events, start_conditions_met
from bpmn_engine.services.backpressure import check_backlog
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork


@command
def evaluate_start_conditions(
    *,
    variables: dict[str, Any],
    definition_key: str | None = None,
    user: Any = None,
    now: datetime | None = None,
) -> list[ProcessInstance]:
    """Evaluate the conditional start events of the latest version of every definition (or
    of ``definition_key``) against ``variables``; start one instance, with those variables,
    per start event whose condition holds. Like Camunda 7, raise ``NotFoundError`` when no
    such definition has a conditional start event at all; suspended ones are skipped."""
    candidates = [(definition, process_for(definition)) for definition in _latest(definition_key)]
    candidates = [(d, p) for d, p in candidates if conditional_start_events(p)]
    if not candidates:
        raise NotFoundError(
            "Expected a deployed process with a conditional start event, but none matches"
        )
    starts = [
        (definition, node_id)
        for definition, process in candidates
        for node_id in start_conditions_met(process, variables)
    ]
    if not starts:
        return []
    check_backlog()
    work = UnitOfWork(
        now=now or timezone.now(), actor=getattr(user, "username", "") or "", user=user
    )
    rows = [
        work.start(definition, variables=dict(variables), start_event_id=node_id)
        for definition, node_id in starts
    ]
    work.run()
    return rows


def _latest(definition_key: str | None) -> list[ProcessDefinition]:
    newest = ProcessDefinition.objects.filter(key=OuterRef("key")).order_by("-version")
    latest = ProcessDefinition.objects.filter(pk=Subquery(newest.values("pk")[:1]))
    if definition_key is not None:
        latest = latest.filter(key=definition_key)
    return list(latest.filter(suspended=False).order_by("key"))
