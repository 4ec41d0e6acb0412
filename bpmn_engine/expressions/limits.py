"""Resource limits that keep evaluation bounded in time and memory."""

from __future__ import annotations

from typing import Any

from .errors import EvalFailure

MAX_TEXT_LENGTH = 10_000
"""Longest accepted expression or script source, in characters."""

MAX_DEPTH = 100
"""Deepest accepted syntax tree (nested operators, parentheses, calls)."""

MAX_STEPS = 100_000
"""Work budget per evaluation: node visits in filters, calls and size-proportional costs."""

MAX_SIZE = 1_000_000
"""Longest string, list or mapping an expression may produce."""

MAX_INT_BITS = 10_000
"""Largest integer (in bits) that arithmetic may produce."""

SIZE_STEP_DIVISOR = 100
"""A call touching a value of size ``n`` costs ``n // SIZE_STEP_DIVISOR`` extra steps."""


def check_size(size: int, what: str = "result") -> None:
    """Refuse producing a string or list longer than :data:`MAX_SIZE`."""
    if size > MAX_SIZE:
        raise EvalFailure(f"{what} size {size} exceeds the limit of {MAX_SIZE}")


def size_cost(value: Any) -> int:
    """Steps charged for touching ``value`` (proportional to its length)."""
    if isinstance(value, str | list | dict | tuple):
        return len(value) // SIZE_STEP_DIVISOR
    return 0


class Scope:
    """Per-evaluation state: the variables mapping and the remaining step budget."""

    __slots__ = ("steps", "vars")

    def __init__(self, variables: Any, steps: int = MAX_STEPS) -> None:
        self.vars = variables
        self.steps = steps

    def charge(self, steps: int) -> None:
        """Consume ``steps`` of the budget, failing when it runs out."""
        self.steps -= steps
        if self.steps < 0:
            raise EvalFailure(f"step limit of {MAX_STEPS} exceeded")
