"""Problems found while parsing or validating a diagram, and the report that gathers them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bpmn_engine.bpmn.model import Definitions

Severity = Literal["error", "warning"]


@dataclass(frozen=True, kw_only=True)
class ValidationIssue:
    """One problem: ``code`` is a short slug (``dangling-target-ref``), ``message`` is for
    modeler users. ``process_id`` names the process the element belongs to, if any."""

    severity: Severity
    code: str
    message: str
    element_id: str | None = None
    line: int | None = None
    process_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "line ?"
        element = self.element_id or "-"
        prefix = "" if self.is_error else "warning: "
        return f"{where}: {element}: {prefix}{self.message}"


def error(
    code: str, message: str, element_id: str | None = None, line: int | None = None
) -> ValidationIssue:
    """Shorthand for an error issue."""
    return ValidationIssue(
        severity="error", code=code, message=message, element_id=element_id, line=line
    )


def warning(
    code: str, message: str, element_id: str | None = None, line: int | None = None
) -> ValidationIssue:
    """Shorthand for a warning issue."""
    return ValidationIssue(
        severity="warning", code=code, message=message, element_id=element_id, line=line
    )


class BpmnParseError(Exception):
    """The document cannot be turned into a model; ``issues`` says why (at least one)."""

    def __init__(self, issues: tuple[ValidationIssue, ...] | list[ValidationIssue]) -> None:
        self.issues: tuple[ValidationIssue, ...] = tuple(issues)
        super().__init__("; ".join(str(issue) for issue in self.issues))


@dataclass(frozen=True, kw_only=True)
class ValidationReport:
    """Outcome of ``check_bpmn``: the model (None if it could not be built) and all issues."""

    definitions: Definitions | None
    issues: tuple[ValidationIssue, ...] = ()

    @property
    def errors(self) -> tuple[ValidationIssue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    @property
    def warnings(self) -> tuple[ValidationIssue, ...]:
        return tuple(i for i in self.issues if not i.is_error)

    @property
    def ok(self) -> bool:
        """True when the diagram has no errors (warnings do not block deployment)."""
        return self.definitions is not None and not self.errors
