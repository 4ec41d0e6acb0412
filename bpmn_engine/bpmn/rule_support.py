"""What validation rules share: the process under check and issue constructors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpmn_engine.bpmn.issues import ValidationIssue
from bpmn_engine.bpmn.model import Definitions, Process


@dataclass(frozen=True)
class ProcessCheck:
    """One process being validated; ``elements`` maps every id of the document."""

    definitions: Definitions
    process: Process
    elements: dict[str, Any]

    def _issue(self, severity: str, code: str, message: str, element: Any) -> ValidationIssue:
        return ValidationIssue(
            severity="error" if severity == "error" else "warning",
            code=code,
            message=message,
            element_id=getattr(element, "id", None) or None,
            line=getattr(element, "line", None) or None,
            process_id=self.process.id,
        )

    def error(self, code: str, message: str, element: Any) -> ValidationIssue:
        return self._issue("error", code, message, element)

    def warning(self, code: str, message: str, element: Any) -> ValidationIssue:
        return self._issue("warning", code, message, element)


def describe(element: Any) -> str:
    """``a <userTask>`` style description of a model element for messages."""
    return f"a <{getattr(element, 'tag', '') or type(element).__name__}>"
