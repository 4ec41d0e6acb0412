"""Errors raised while evaluating decisions."""

from __future__ import annotations


class DecisionError(Exception):
    """A decision could not be evaluated; ``element_id`` names the failing element."""

    def __init__(self, message: str, element_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.element_id = element_id
