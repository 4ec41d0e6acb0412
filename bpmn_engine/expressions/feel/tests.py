"""Unary tests (decision-table input entries and the right side of ``in``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..nodes import Node
from .env import Env
from .types import Range
from .values import compare, equal

if TYPE_CHECKING:
    from .compiler import Compiler

Test = Callable[[Env, Any], "bool | None"]


def in_range(value: Any, rng: Range) -> bool | None:
    """Whether ``value`` lies in ``rng`` (null when not comparable)."""
    if value is None:
        return None
    if rng.start is not None:
        order = compare(rng.start, value)
        if order is None:
            return None
        if order > 0 or (order == 0 and not rng.start_closed):
            return False
    if rng.end is not None:
        order = compare(value, rng.end)
        if order is None:
            return None
        if order > 0 or (order == 0 and not rng.end_closed):
            return False
    return True


def matches(value: Any, target: Any) -> bool | None:
    """``value`` against the value of a unary-test expression."""
    same = equal(value, target)
    if same is True:
        return True
    kind = type(target)
    if target is None:
        return None
    if kind is Range:
        return in_range(value, target)
    if kind is list:
        return any(equal(value, item) is True for item in target) or (
            type(value) is not list and any(matches(value, item) is True for item in target)
        )
    if kind is bool and type(value) is not bool:
        return target
    return same


_TEMPORAL_CONSTRUCTORS = ("date", "time", "date and time", "duration")


def literal_endpoint(node: Node | None) -> bool:
    """A literal, a negated number or a temporal constructor of a string literal."""
    if node is None or node.kind == "lit":
        return True
    if node.kind == "neg":
        return literal_endpoint(node.args[0])
    if node.kind == "call" and len(node.args) == 2:
        callee, argument = node.args
        return (
            callee is not None
            and callee.kind == "name"
            and callee.value in _TEMPORAL_CONSTRUCTORS
            and argument is not None
            and argument.kind == "lit"
            and type(argument.value) is str
        )
    return False


def compile_test(compiler: Compiler, node: Node) -> Test:
    kind = node.kind
    if kind == "t_any":
        return lambda env, value: True
    if kind == "t_or":
        tests = [compile_test(compiler, child) for child in node.children()]

        def any_of(env: Env, value: Any) -> bool | None:
            results = [test(env, value) for test in tests]
            if True in results:
                return True
            return None if None in results else False

        return any_of
    if kind == "t_not":
        inner = compile_test(compiler, node.args[0])  # type: ignore[arg-type]

        def negated(env: Env, value: Any) -> bool | None:
            result = inner(env, value)
            return None if result is None else not result

        return negated
    if kind == "t_cmp":
        from .compiler import cmp_op

        endpoint = compiler.compile(node.args[0])  # type: ignore[arg-type]
        op = str(node.value)
        return lambda env, value: cmp_op(op, value, endpoint(env))
    expr_node: Node = node.args[0] if kind == "t_expr" else node  # type: ignore[assignment]
    expr = compiler.compile(expr_node)
    from .compiler import uses_input

    if uses_input(expr_node):
        return lambda env, value: expr(env.child({"?": value})) is True
    if (expr_node.kind == "range" and all(literal_endpoint(c) for c in expr_node.children())) or (
        expr_node.kind != "range" and literal_endpoint(expr_node)
    ):
        # a literal, date("...") and the like, or a range of them: evaluated once
        constant = expr(Env({}))
        return lambda env, value: matches(value, constant)
    return lambda env, value: matches(value, expr(env))
