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

MAX_VALUE_DEPTH = 100
"""Deepest nesting of lists and mappings an expression may build."""

MAX_ROUND_DIGITS = 1_000
"""Largest ``digits``/scale (either sign) that rounding functions accept."""

MAX_WORK = MAX_STEPS * SIZE_STEP_DIVISOR
"""Elementary operations (comparisons) a single built-in function may plan to do."""

_CONTAINERS = (list, tuple, dict)


def check_size(size: int, what: str = "result") -> None:
    """Refuse producing a string or list longer than :data:`MAX_SIZE`."""
    if size > MAX_SIZE:
        raise EvalFailure(f"{what} size {size} exceeds the limit of {MAX_SIZE}")


def weight(value: Any, limit: int = MAX_SIZE) -> int:
    """Deep size of ``value``: characters of strings plus elements of lists and mappings,
    counted through every level, a shared sub-list once per reference (so ``[x] * 1000``
    weighs 1000 times ``x``). Refuses, while walking, a value heavier than ``limit`` or
    nested deeper than :data:`MAX_VALUE_DEPTH`; each distinct list is walked once, so the
    cost is bounded by the memory the value really occupies."""
    return _weigh(value, 0, {}, limit)


def _weigh(value: Any, depth: int, seen: dict[int, int], limit: int) -> int:
    kind = type(value)
    if kind is str:
        return len(value)
    if kind not in _CONTAINERS:
        return 1
    known = seen.get(id(value))
    if known is not None:
        return known
    if depth >= MAX_VALUE_DEPTH:
        raise EvalFailure(f"value nested deeper than {MAX_VALUE_DEPTH} levels")
    total = len(value)
    items = value.values() if kind is dict else value
    for item in items:
        if type(item) in _CONTAINERS or type(item) is str:
            total += _weigh(item, depth + 1, seen, limit)
            if total > limit:
                raise EvalFailure(f"value size exceeds the limit of {limit}")
    if total > limit:
        raise EvalFailure(f"value size exceeds the limit of {limit}")
    seen[id(value)] = total
    return total


def text_size(value: Any, limit: int = MAX_SIZE) -> int:
    """An upper bound of ``len(str(value))``, computed without building the text, shared
    sub-lists counted once per reference; refuses (while walking) a text over ``limit``."""
    return _text(value, 0, {}, limit)


def _text(value: Any, depth: int, seen: dict[int, int], limit: int) -> int:
    kind = type(value)
    if kind is str:  # repr: quotes, escaped backslashes and quotes; \U0010ffff at worst
        if value.isprintable():
            return len(value) + 2 + value.count("\\") + value.count("'")
        return len(value) * 10 + 2
    if kind is int:
        return value.bit_length() * 30103 // 100000 + 2
    if kind is float:
        return 24
    if kind not in _CONTAINERS:
        return 5 if value is None or kind is bool else 100  # dates and durations: < 100
    known = seen.get(id(value))
    if known is not None:
        return known
    if depth >= MAX_VALUE_DEPTH:
        raise EvalFailure(f"value nested deeper than {MAX_VALUE_DEPTH} levels")
    total = 2 + (4 if kind is dict else 2) * len(value)  # brackets, ", " and ": "
    items = [*value.keys(), *value.values()] if kind is dict else value
    for item in items:
        total += _text(item, depth + 1, seen, limit)
        if total > limit:
            raise EvalFailure(f"text of the value exceeds the limit of {limit}")
    seen[id(value)] = total
    return total


def check_weight(value: Any) -> Any:
    """``value`` if it is a scalar or a list/mapping within the size and depth limits."""
    if type(value) in _CONTAINERS:
        weight(value)
    return value


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
