"""What an evaluation did: per decision, its inputs, matched rules and output."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TableTrace:
    """One decision-table evaluation: input values, matched rules (1-based) and outputs."""

    table_id: str | None
    inputs: list[Any] = field(default_factory=list)
    matched: list[int] = field(default_factory=list)
    matched_ids: list[str | None] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)


@dataclass
class DecisionTrace:
    decision_id: str | None
    name: str
    value: Any = None
    error: str | None = None
    tables: list[TableTrace] = field(default_factory=list)


RECORDER: ContextVar[list[TableTrace] | None] = ContextVar("dmn_table_recorder", default=None)


def record(trace: TableTrace) -> None:
    sink = RECORDER.get()
    if sink is not None:
        sink.append(trace)
