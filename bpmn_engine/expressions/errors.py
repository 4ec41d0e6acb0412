"""Exceptions raised by the expression language.

Every failure (syntax, evaluation, limits) surfaces as :class:`ExpressionError`; internal
code raises the lightweight :class:`EvalFailure`, which the public entry points wrap with
the source text.
"""

from __future__ import annotations

_MESSAGE_SOURCE_LIMIT = 300


class ExpressionError(Exception):
    """An expression or script could not be compiled or evaluated.

    ``expression`` is the full source text, ``reason`` a human readable explanation.
    """

    def __init__(self, expression: str, reason: str) -> None:
        self.expression = expression
        self.reason = reason
        shown = expression
        if len(shown) > _MESSAGE_SOURCE_LIMIT:
            shown = shown[:_MESSAGE_SOURCE_LIMIT] + "..."
        super().__init__(f'Expected to evaluate "{shown}", but {reason}')


class ExpressionSyntaxError(ExpressionError):
    """The text is not a well-formed expression; ``position`` is the 0-based offset and
    ``column`` the 1-based column (counted from the start of the line) of the problem."""

    def __init__(self, expression: str, message: str, position: int) -> None:
        self.position = position
        line_start = expression.rfind("\n", 0, position) + 1
        self.line = expression.count("\n", 0, position) + 1
        self.column = position - line_start + 1
        self.message = message
        where = f"column {self.column}"
        if self.line > 1:
            where = f"line {self.line}, {where}"
        super().__init__(expression, f"syntax error at {where}: {message}")


class EvalFailure(Exception):
    """Internal evaluation failure carrying only a reason; wrapped by the public API."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownVariable(EvalFailure):
    """A top-level variable is not defined (caught by ``empty`` and ``is defined``)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown variable '{name}'")
        self.name = name


class ParseFailure(Exception):
    """Internal syntax failure carrying a message and a position."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
