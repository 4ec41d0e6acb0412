"""Rule matching for decision tables, prepared once per table.

Each input entry becomes a check ``(value, env) -> bool`` ("the test is satisfied", i.e.
FEEL's ``true``; ``false`` and null both fail a rule). Entries made of literals take a
fast path with the same outcome as the general FEEL test: ``-`` is no check at all; a
list of string or number literals is a set lookup; a comparison or range with string or
number literal endpoints is a Python comparison guarded by the value's type (FEEL
compares only values of one kind). Everything else runs the compiled FEEL test.

The most selective column whose entries are all ``-`` and literal lists (a hash by
value) or all ``-`` and number ranges/comparisons with literal bounds (sorted bounds, a
bisection) is indexed, so a table tests only the rules whose entry in that column can
match; the match set and its order are unchanged, whatever the hit policy.
"""

from __future__ import annotations

import operator
from bisect import bisect_left
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, cast

from bpmn_engine.expressions.feel import Env, compile_tests
from bpmn_engine.expressions.feel.parser import parse_tests
from bpmn_engine.expressions.nodes import Node

Check = Callable[[Any, Env], bool]
_KEY_TYPES = (str, Decimal)
_ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_NO_CONSTANT = object()


def _constant(node: Node | None) -> Any:
    """The string or number a literal node stands for (``-5`` included), else a marker."""
    if node is None:
        return _NO_CONSTANT
    if node.kind == "lit" and type(node.value) in _KEY_TYPES:
        return node.value
    if node.kind == "neg" and len(node.args) == 1:
        inner = _constant(node.args[0])
        if type(inner) is Decimal:
            return -inner
    return _NO_CONSTANT


def _parsed(text: str, names: tuple[str, ...]) -> Node | None:
    try:
        return parse_tests(text.strip() or "-", names)
    except Exception:  # the general path reports the syntax error
        return None


def equality_keys(text: str, names: tuple[str, ...]) -> frozenset[Any] | None:
    """The literals of an entry like ``"a", "b"`` or ``5`` (None: not such an entry)."""
    node = _parsed(text, names)
    if node is None:
        return None
    parts = list(node.children()) if node.kind == "t_or" else [node]
    keys = []
    for part in parts:
        if part.kind != "t_expr":
            return None
        value = _constant(part.args[0])
        if value is _NO_CONSTANT:
            return None
        keys.append(value)
    return frozenset(keys)


def is_wildcard(text: str | None) -> bool:
    return not text or text.strip() == "-"


def _fast(node: Node) -> Callable[[Any], bool] | None:
    """A literal-only test as a plain predicate, or None."""
    if node.kind == "t_or":
        parts = [_fast(child) for child in node.children()]
        if any(p is None for p in parts):
            return None
        checks = tuple(p for p in parts if p is not None)
        return lambda value: any(check(value) for check in checks)
    if node.kind == "t_cmp" and node.value in _ORDER_OPS:
        bound = _constant(node.args[0])
        if bound is _NO_CONSTANT:
            return None
        kind, op = type(bound), _ORDER_OPS[str(node.value)]
        return lambda value: type(value) is kind and op(value, bound)
    if node.kind != "t_expr" or node.args[0] is None:
        return None
    inner = node.args[0]
    single = _constant(inner)
    if single is not _NO_CONSTANT:
        kind = type(single)
        return lambda value: type(value) is kind and value == single
    if inner.kind == "range":
        low, high = _constant(inner.args[0]), _constant(inner.args[1])
        if low is _NO_CONSTANT or high is _NO_CONSTANT or type(low) is not type(high):
            return None
        low_closed, high_closed = cast(tuple[bool, bool], inner.value)
        above = operator.le if low_closed else operator.lt
        below = operator.le if high_closed else operator.lt
        kind = type(low)
        return lambda value: type(value) is kind and above(low, value) and below(value, high)
    return None


def compile_check(text: str, names: tuple[str, ...]) -> Check | None:
    """The check of one input entry; None for ``-`` (always satisfied)."""
    if is_wildcard(text):
        return None
    node = _parsed(text, names)
    fast = None if node is None else _fast(node)
    if fast is not None:
        return lambda value, env: fast(value)
    tests = compile_tests(text, names)  # raises the located syntax error
    return lambda value, env: tests.matches(value, env) is True


Interval = tuple[Decimal | None, bool, Decimal | None, bool]
"""(low, low closed, high, high closed); None is unbounded."""


def intervals(text: str, names: tuple[str, ...]) -> list[Interval] | None:
    """The number intervals an entry like ``[1..10)``, ``< 5`` or ``1, >= 9`` accepts
    (None: not such an entry)."""
    node = _parsed(text, names)
    if node is None:
        return None
    found: list[Interval] = []
    for part in list(node.children()) if node.kind == "t_or" else [node]:
        if part.kind == "t_cmp" and part.value in _ORDER_OPS:
            bound = _constant(part.args[0])
            if type(bound) is not Decimal:
                return None
            op = str(part.value)
            closed = op.endswith("=")
            found.append(
                (bound, closed, None, False) if op[0] == ">" else (None, False, bound, closed)
            )
            continue
        inner = part.args[0] if part.kind == "t_expr" else None
        if inner is None:
            return None
        value = _constant(inner)
        if type(value) is Decimal:
            found.append((value, True, value, True))
            continue
        if inner.kind != "range":
            return None
        low, high = _constant(inner.args[0]), _constant(inner.args[1])
        if type(low) is not Decimal or type(high) is not Decimal:
            return None
        low_closed, high_closed = cast(tuple[bool, bool], inner.value)
        found.append((low, bool(low_closed), high, bool(high_closed)))
    return found


class RuleIndex:
    """Candidate rules per value of one input column (see the module docstring)."""

    __slots__ = ("candidates", "column", "cost")

    def __init__(self, column: int, candidates: Callable[[Any], tuple[int, ...]], cost: float):
        self.column = column
        self.candidates = candidates
        self.cost = cost


def _literal_index(column: int, entries: Sequence[Sequence[str]], names: tuple[str, ...]):
    wildcards: list[int] = []
    keyed: dict[Any, list[int]] = {}
    for position, row in enumerate(entries):
        text = row[column]
        if is_wildcard(text):
            wildcards.append(position)
            continue
        keys = equality_keys(text, names)
        if keys is None:
            return None
        for key in keys:
            keyed.setdefault(key, []).append(position)
    if not keyed:
        return None
    others = tuple(wildcards)
    by_value = {k: tuple(sorted({*v, *wildcards})) for k, v in keyed.items()}
    get = by_value.get

    def candidates(value: Any) -> tuple[int, ...]:
        if type(value) is str or type(value) is Decimal:
            return get(value, others)
        return others

    cost = len(wildcards) + sum(len(v) for v in keyed.values()) / len(keyed)
    return RuleIndex(column, candidates, cost)


def _range_index(column: int, entries: Sequence[Sequence[str]], names: tuple[str, ...]):
    """Slots between and at the sorted interval bounds, each with the rules covering it:
    slot ``2i`` is the gap below bound ``i``, slot ``2i + 1`` the bound itself."""
    wildcards: list[int] = []
    spans: list[tuple[int, list[Interval]]] = []
    for position, row in enumerate(entries):
        text = row[column]
        if is_wildcard(text):
            wildcards.append(position)
            continue
        found = intervals(text, names)
        if found is None:
            return None
        spans.append((position, found))
    if not spans:
        return None
    bounds = sorted({b for _, found in spans for i in found for b in (i[0], i[2]) if b is not None})
    where = {b: n for n, b in enumerate(bounds)}
    slots: list[set[int]] = [set(wildcards) for _ in range(2 * len(bounds) + 1)]
    filled = 0
    for position, found in spans:
        for low, low_closed, high, high_closed in found:
            first = 0 if low is None else 2 * where[low] + (1 if low_closed else 2)
            last = len(slots) - 1 if high is None else 2 * where[high] + (1 if high_closed else 0)
            filled += max(0, last - first + 1)
            if filled > 8 * len(entries) + 64:
                return None  # heavily overlapping ranges: indexing would cost memory
            for slot in range(first, last + 1):
                slots[slot].add(position)
    table = [tuple(sorted(rules)) for rules in slots]
    others = tuple(wildcards)

    def candidates(value: Any) -> tuple[int, ...]:
        if type(value) is not Decimal:
            return others
        n = bisect_left(bounds, value)
        return table[2 * n + 1 if n < len(bounds) and bounds[n] == value else 2 * n]

    return RuleIndex(column, candidates, sum(len(t) for t in table) / len(table))


def build_index(entries: Sequence[Sequence[str]], names: tuple[str, ...]) -> RuleIndex | None:
    """The most selective column index of a table's input entries (rules x columns): a
    column of ``-`` and literal lists, or of ``-`` and number ranges/comparisons; None when
    there is none or the rules to test per value (on average) would not at least halve."""
    best: RuleIndex | None = None
    for column in range(len(entries[0]) if entries else 0):
        for build in (_literal_index, _range_index):
            found = build(column, entries, names)
            if found is None or found.cost * 2 > len(entries):
                continue
            if best is None or found.cost < best.cost:
                best = found
    return best
