"""Business-rule tasks evaluate their decision inside the step (no job).

The runtime is pure: where decisions come from (deployed versions in a database) is the
host's business, given to each ``advance`` call as a :data:`Provider` (the host binds it to
the calling process definition, for ``decisionRefBinding="deployment"``). Without a
provider a business-rule task falls back to a job, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bpmn_engine.dmn import DecisionError, Evaluation
from bpmn_engine.dmn.json_values import to_json_safe
from bpmn_engine.expressions.errors import EvalFailure
from bpmn_engine.expressions.feel.dialect import storable
from bpmn_engine.runtime.effects import DecisionEvaluated


class DecisionSource(Protocol):
    def evaluate(self, key: str, variables: Mapping[str, Any] | None = None) -> Evaluation: ...


@dataclass(frozen=True)
class ResolvedDecision:
    """A deployed decision: its model and the version that was chosen."""

    key: str
    version: int
    definition_id: Any
    model: DecisionSource


Provider = Callable[[str, str, str | None], ResolvedDecision | None]
"""``provider(key, binding, version) -> ResolvedDecision | None`` (None: not deployed);
``binding`` is ``latest``, ``deployment`` (the calling definition's deployment) or
``version`` (``version`` is then its number)."""


def result_list(evaluation: Evaluation, model: Any, key: str) -> list[dict[str, Any]]:
    """Camunda 7's result list: one map of output name to value per matched rule (a
    literal expression gives one entry named after its decision's variable)."""
    element = model.definitions.decision(key)
    value = evaluation.value
    table = getattr(element, "expression", None)
    outputs = [o.name for o in getattr(table, "outputs", ())]
    if outputs:
        rows = value if type(value) is list else ([] if value is None else [value])
        if len(outputs) == 1:
            return [{outputs[0] or "result": row} for row in rows]
        return [row for row in rows if type(row) is dict]
    if value is None:
        return []
    return [{getattr(element, "name", key): value}]


def map_result(mapping: str, entries: list[dict[str, Any]]) -> Any:
    """``mapDecisionResult``: singleEntry, singleResult, collectEntries or resultList."""
    if mapping == "singleEntry":
        if len(entries) > 1 or (entries and len(entries[0]) > 1):
            raise DecisionError(f"singleEntry expects at most one value, got {entries}")
        return next(iter(entries[0].values())) if entries else None
    if mapping == "singleResult":
        if len(entries) > 1:
            raise DecisionError(f"singleResult expects at most one result, got {len(entries)}")
        return entries[0] if entries else None
    if mapping == "collectEntries":
        if any(len(e) > 1 for e in entries):
            raise DecisionError("collectEntries expects one output per result")
        return [next(iter(e.values())) for e in entries]
    return entries


def plain(value: Any) -> Any:
    """A decision result as a process-variable value; a result no variable can hold (a
    years-and-months duration, a date beyond year 9999) fails the decision."""
    try:
        return storable(value)
    except EvalFailure as exc:
        raise DecisionError(f"its result cannot be a variable value: {exc.reason}") from None


def evaluation_details(evaluation: Evaluation) -> tuple[dict[str, Any], ...]:
    """JSON-ready record of an evaluation: per decision, its tables' inputs, matched
    rules (1-based, with their ids) and outputs, and its value or error."""
    return tuple(
        {
            "decision": trace.decision_id,
            "name": trace.name,
            "value": to_json_safe(trace.value),
            "error": trace.error,
            "tables": [
                {
                    "inputs": to_json_safe(table.inputs),
                    "matched_rules": table.matched,
                    "matched_rule_ids": table.matched_ids,
                    "outputs": to_json_safe(table.outputs),
                }
                for table in trace.tables
            ],
        }
        for trace in evaluation.decisions
    )


def decision_effect(
    node_id: str, token: Any, resolved: ResolvedDecision, evaluation: Evaluation
) -> DecisionEvaluated:
    return DecisionEvaluated(
        node_id,
        resolved.key,
        resolved.version,
        resolved.definition_id,
        evaluation_details(evaluation),
    )
