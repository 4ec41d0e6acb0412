"""Operator part of the closure compiler: operators, logic, literals and templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from .dialects import OPERATORS, TRUTH, FeelRange, juel_bool, to_text
from .errors import EvalFailure, ParseFailure, UnknownVariable
from .limits import MAX_SIZE, Scope, check_size, check_weight, size_cost
from .nodes import Node
from .values import plain_truth, type_name

Fn = Callable[[Scope], Any]
_KEY_TYPES = (str, int, float, bool, type(None))


class OperatorCompiler:
    """Compiles operator nodes; :class:`.compiler.Compiler` adds the rest."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.ops = OPERATORS[dialect]
        self.truth = TRUTH[dialect]

    def compile(self, node: Node) -> Fn:
        return getattr(self, "c_" + node.kind)(node)

    def operator(self, op: str, pos: int) -> Callable[[Any, Any], Any]:
        fn = self.ops.get(op)
        if fn is None:
            raise ParseFailure(f"operator '{op}' is not supported in {self.dialect}", pos)
        return fn

    def c_binary(self, node: Node) -> Fn:
        op = str(node.value)
        fn = self.operator(op, node.pos)
        left_node, right_node = node.args
        left, right = self.compile(left_node), self.compile(right_node)  # type: ignore[arg-type]
        if op in ("in", "not in"):

            def membership(s: Scope) -> Any:
                a, b = left(s), right(s)
                s.charge(size_cost(b))
                return fn(a, b)

            return membership
        if right_node.kind == "lit":  # type: ignore[union-attr]
            const = right_node.value  # type: ignore[union-attr]
            if left_node.kind == "name" and self.dialect != "feel":  # type: ignore[union-attr]
                return _name_const(str(left_node.value), fn, const)  # type: ignore[union-attr]
            return lambda s: fn(left(s), const)
        return lambda s: fn(left(s), right(s))

    def c_compare(self, node: Node) -> Fn:
        fns = [self.operator(op, node.pos) for op in node.value]  # type: ignore[attr-defined]
        first, *rest = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        pairs = list(zip(fns, rest, strict=True))

        def chain(s: Scope) -> Any:
            left = first(s)
            for fn, operand in pairs:
                right = operand(s)
                result = fn(left, right)
                if result is not True:
                    return None if result is None else bool(result)
                left = right
            return True

        return chain

    def c_and(self, node: Node) -> Fn:
        parts = [self.compile(a) for a in node.args]  # type: ignore[arg-type]
        if self.dialect == "plain":
            *head, last = parts

            def plain_and(s: Scope) -> Any:
                for part in head:
                    value = part(s)
                    if not plain_truth(value):
                        return value
                return last(s)

            return plain_and
        if self.dialect == "juel":
            return _juel_all(parts)

        def feel_and(s: Scope) -> bool | None:
            result: bool | None = True
            for part in parts:
                value = part(s)
                if value is False:
                    return False
                if value is not True:
                    result = None
            return result

        return feel_and

    def c_or(self, node: Node) -> Fn:
        parts = [self.compile(a) for a in node.args]  # type: ignore[arg-type]
        if self.dialect == "plain":
            *head, last = parts

            def plain_or(s: Scope) -> Any:
                for part in head:
                    value = part(s)
                    if plain_truth(value):
                        return value
                return last(s)

            return plain_or
        if self.dialect == "juel":
            return _juel_any(parts)

        def feel_or(s: Scope) -> bool | None:
            result: bool | None = False
            for part in parts:
                value = part(s)
                if value is True:
                    return True
                if value is not False:
                    result = None
            return result

        return feel_or

    def c_ternary(self, node: Node) -> Fn:
        cond, then, other = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        truth = self.truth
        return lambda s: then(s) if truth(cond(s)) else other(s)

    def c_between(self, node: Node) -> Fn:
        value, low, high = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        ge, le = self.operator(">=", node.pos), self.operator("<=", node.pos)

        def between(s: Scope) -> bool | None:
            v = value(s)
            first, second = ge(v, low(s)), le(v, high(s))
            if first is False or second is False:
                return False
            return True if first is True and second is True else None

        return between

    def c_list(self, node: Node) -> Fn:
        items = [self.compile(a) for a in node.args]  # type: ignore[arg-type]
        return lambda s: check_weight([item(s) for item in items])

    def c_dict(self, node: Node) -> Fn:
        parts = [self.compile(a) for a in node.args]  # type: ignore[arg-type]
        pairs = list(zip(parts[::2], parts[1::2], strict=True))

        def mapping(s: Scope) -> dict:
            out = {}
            for key_fn, value_fn in pairs:
                key = key_fn(s)
                if type(key) not in _KEY_TYPES:
                    raise EvalFailure(f"invalid key of type {type_name(key)}")
                out[key] = value_fn(s)
            return check_weight(out)

        return mapping

    def c_range(self, node: Node) -> Fn:
        start, end = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        start_incl, end_incl = cast(tuple[bool, bool], node.value)
        return lambda s: FeelRange(start(s), end(s), start_incl, end_incl)

    def c_template(self, node: Node) -> Fn:
        parts = [self.compile(a) for a in node.args]  # type: ignore[arg-type]

        def template(s: Scope) -> str:
            # the total is checked part by part: 2,000 references to a large variable are
            # refused after the first few, before anything is joined
            texts, total = [], 0
            for part in parts:
                text = to_text(part(s))
                total += len(text)
                if total > MAX_SIZE:
                    check_size(total)
                texts.append(text)
            return "".join(texts)

        return template


def _name_const(name: str, fn: Callable[[Any, Any], Any], const: Any) -> Fn:
    """Fast path for ``variable <op> constant`` (the typical gateway condition)."""

    def name_const(s: Scope) -> Any:
        v = s.vars
        if name in v:
            return fn(v[name], const)
        raise UnknownVariable(name)

    return name_const


def _juel_all(parts: list[Fn]) -> Fn:
    if len(parts) == 2:
        first, second = parts
        return lambda s: juel_bool(first(s)) and juel_bool(second(s))
    return lambda s: all(juel_bool(p(s)) for p in parts)


def _juel_any(parts: list[Fn]) -> Fn:
    if len(parts) == 2:
        first, second = parts
        return lambda s: juel_bool(first(s)) or juel_bool(second(s))
    return lambda s: any(juel_bool(p(s)) for p in parts)
