"""Process-level conditional start events (Camunda 7's ``evaluateStartConditions``).

A process whose start event carries a ``conditionalEventDefinition`` starts when asked to
evaluate its start conditions against given variables: one instance per start event whose
condition holds. The condition sees only those variables; a name it does not know makes it
false (Camunda's ``tryEvaluate``); other failures raise. ``camunda:variableName`` and
``camunda:variableEvents`` filter changes of a running instance, so they play no part here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bpmn_engine.bpmn.model import ConditionalEventDefinition, Process, StartEvent
from bpmn_engine.runtime.variables import ExpressionError, compile_expression


def conditional_start_events(process: Process) -> list[tuple[StartEvent, str]]:
    """The process's own (not event subprocess) conditional start events and conditions."""
    found = []
    for start in process.start_events():
        for definition in start.event_definitions:
            if isinstance(definition, ConditionalEventDefinition) and definition.condition:
                found.append((start, definition.condition))
    return found


def start_conditions_met(process: Process, variables: Mapping[str, Any]) -> list[str]:
    """Ids of the conditional start events whose condition holds for ``variables``."""
    return [
        start.id
        for start, condition in conditional_start_events(process)
        if _holds(condition, variables)
    ]


def _holds(condition: str, variables: Mapping[str, Any]) -> bool:
    try:
        return bool(compile_expression(condition).evaluate(variables))
    except ExpressionError as failure:
        if failure.reason.startswith("unknown variable"):
            return False
        raise
