"""Closure compiler for FEEL trees: each node becomes ``fn(env) -> value``.

Runtime type mismatches give null (FEEL's semantics); only unknown functions, wrong
argument counts and exhausted limits raise (:class:`~.types.FeelError` /
:class:`~..errors.EvalFailure`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, cast

from ..limits import check_size, check_weight
from ..nodes import Node
from .arith import add, div, mul, negate, power, sub
from .builtins import BUILTINS
from .chrono import FeelDate
from .env import MISSING, Env
from .external import java_function
from .properties import member
from .tests import compile_test
from .typecheck import instance_of
from .types import FeelError, Function, Range, bind_arguments
from .values import compare, equal

Fn = Callable[[Env], Any]
_ARITH = {"+": add, "-": sub, "*": mul, "/": div, "**": power}
_ORDER = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}


def cmp_op(op: str, a: Any, b: Any) -> bool | None:
    if op == "=":
        return equal(a, b)
    if op == "!=":
        same = equal(a, b)
        return None if same is None else not same
    order = compare(a, b)
    return None if order is None else order in _ORDER[op]


def uses_input(node: Node) -> bool:
    """Whether a tree reads ``?`` (outside nested functions)."""
    if node.kind == "name" and node.value == "?":
        return True
    return any(uses_input(child) for child in node.children())


class Compiler:
    def compile(self, node: Node) -> Fn:
        method = getattr(self, "c_" + node.kind, None)
        if method is None:
            raise FeelError(f"cannot evaluate a {node.kind} here")
        return method(node)

    def c_lit(self, node: Node) -> Fn:
        value = node.value
        return lambda env: value

    def c_name(self, node: Node) -> Fn:
        name = str(node.value)
        path = tuple(name.split(".")) if "." in name.strip(".") else ()

        def lookup(env: Env) -> Any:
            value = env.lookup(name)
            if value is MISSING and path:  # a known dotted name not bound here: a path
                value = env.lookup(path[0])
                for part in path[1:]:
                    if value is MISSING:
                        break
                    value = member(value, part)
            return None if value is MISSING else value

        return lookup

    def c_path(self, node: Node) -> Fn:
        obj = self.compile(node.args[0])  # type: ignore[arg-type]
        name = str(node.value)
        return lambda env: member(obj(env), name)

    def c_filter(self, node: Node) -> Fn:
        source = self.compile(node.args[0])  # type: ignore[arg-type]
        cond_node: Node = node.args[1]  # type: ignore[assignment]
        cond = self.compile(cond_node)
        numeric = (cond_node.kind == "lit" and type(cond_node.value) is Decimal) or (
            cond_node.kind == "neg" and cond_node.args[0].kind == "lit"  # type: ignore[union-attr]
        )

        def run(env: Env) -> Any:
            items = source(env)
            if items is None:
                return None
            if type(items) is not list:
                items = [items]
            if cond_node.kind == "lit" and type(cond_node.value) is bool:
                return list(items) if cond_node.value else []
            if numeric or cond_node.kind == "name":
                index = cond(env) if numeric or cond_node.value != "item" else None
                if type(index) is Decimal:
                    return _index(items, index)
                if numeric:
                    return None
            out: list[Any] = []
            for item in items:
                env.budget.charge(1)
                frame = {"item": item}
                if type(item) is dict:
                    frame.update(item)
                result = cond(env.child(frame))
                if type(result) is Decimal and not out and item is items[0]:
                    return _index(items, result)
                if result is True:
                    out.append(item)
            return out

        return run

    def c_call(self, node: Node) -> Fn:
        callee_node: Node = node.args[0]  # type: ignore[assignment]
        if callee_node.kind == "name" and callee_node.value == "is defined" and len(node.args) == 2:
            return self.is_defined(node.args[1])  # type: ignore[arg-type]
        args = [self.compile(a) for a in node.args[1:]]  # type: ignore[arg-type]
        names = cast("tuple[str, ...] | None", node.value)
        callee = self._callee(callee_node)
        label = str(callee_node.value) if callee_node.kind == "name" else "function"

        def run(env: Env) -> Any:
            fn = callee(env)
            if type(fn) is not Function:
                raise FeelError(f"no function named '{label}'")
            values = [a(env) for a in args]
            named = dict(zip(names, values, strict=True)) if names else None
            env.budget.charge(1)
            bound = bind_arguments(fn, values, named)
            return None if bound is None else fn.call(*bound)

        return run

    def is_defined(self, node: Node) -> Fn:
        """``is defined(x)``: whether a name or context entry exists (even if null)."""
        if node.kind == "name":
            name = str(node.value)
            return lambda env: env.lookup(name) is not MISSING
        if node.kind == "path":
            source = self.compile(node.args[0])  # type: ignore[arg-type]
            key = str(node.value)

            def run(env: Env) -> Any:
                value = source(env)
                return type(value) is dict and key in value

            return run
        value = self.compile(node)
        return lambda env: value(env) is not None

    def _callee(self, node: Node) -> Fn:
        """A function by name: a variable first, then a built-in."""
        if node.kind != "name":
            return self.compile(node)
        name = str(node.value)
        builtin = BUILTINS.get(name)

        def lookup(env: Env) -> Any:
            value = env.lookup(name)
            return builtin if value is MISSING else value

        return lookup

    def c_neg(self, node: Node) -> Fn:
        operand = self.compile(node.args[0])  # type: ignore[arg-type]
        return lambda env: negate(operand(env))

    def c_arith(self, node: Node) -> Fn:
        left, right = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        op = _ARITH[str(node.value)]
        return lambda env: op(left(env), right(env))

    def c_cmp(self, node: Node) -> Fn:
        left, right = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        op = str(node.value)
        return lambda env: cmp_op(op, left(env), right(env))

    def c_and(self, node: Node) -> Fn:
        left, right = (self.compile(a) for a in node.args)  # type: ignore[arg-type]

        def run(env: Env) -> Any:
            a = left(env)
            if a is False:
                return False
            b = right(env)
            if b is False:
                return False
            return True if a is True and b is True else None

        return run

    def c_or(self, node: Node) -> Fn:
        left, right = (self.compile(a) for a in node.args)  # type: ignore[arg-type]

        def run(env: Env) -> Any:
            a = left(env)
            if a is True:
                return True
            b = right(env)
            if b is True:
                return True
            return False if a is False and b is False else None

        return run

    def c_between(self, node: Node) -> Fn:
        value, low, high = (self.compile(a) for a in node.args)  # type: ignore[arg-type]

        def run(env: Env) -> Any:
            x = value(env)
            a = cmp_op(">=", x, low(env))
            b = cmp_op("<=", x, high(env))
            if a is False or b is False:
                return False
            return True if a and b else None

        return run

    def c_in(self, node: Node) -> Fn:
        value = self.compile(node.args[0])  # type: ignore[arg-type]
        test = compile_test(self, node.args[1])  # type: ignore[arg-type]
        return lambda env: test(env, value(env))

    def c_instance(self, node: Node) -> Fn:
        value = self.compile(node.args[0])  # type: ignore[arg-type]
        spec = node.value
        return lambda env: instance_of(value(env), spec, env.types)

    def c_if(self, node: Node) -> Fn:
        cond, then, other = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        return lambda env: then(env) if cond(env) is True else other(env)

    def c_span(self, node: Node) -> Fn:
        start, end = (self.compile(a) for a in node.args)  # type: ignore[arg-type]

        def run(env: Env) -> Any:
            a, b = start(env), end(env)
            if type(a) is FeelDate and type(b) is FeelDate:  # days, either way (DMN 1.5)
                days = b.days - a.days
                step = 1 if days >= 0 else -1
                check_size(abs(days) + 1, "list")
                env.budget.charge(abs(days) // 100)
                return [FeelDate.from_days(a.days + i) for i in range(0, days + step, step)]
            if type(a) is not Decimal or type(b) is not Decimal:
                return None
            if a != a.to_integral_value() or b != b.to_integral_value():
                return None
            step = 1 if b >= a else -1
            check_size(int(abs(b - a)) + 1, "list")
            env.budget.charge(int(abs(b - a)) // 100)
            return [Decimal(i) for i in range(int(a), int(b) + step, step)]

        return run

    def _iterate(self, node: Node) -> tuple[tuple[str, ...], list[Fn], Fn]:
        names: tuple[str, ...] = node.value  # type: ignore[assignment]
        parts = [self.compile(a) for a in node.args]  # type: ignore[arg-type]
        return names, parts[:-1], parts[-1]

    def c_for(self, node: Node) -> Fn:
        names, domains, body = self._iterate(node)

        def run(env: Env) -> Any:
            out: list[Any] = []
            frame: dict[str, Any] = {"partial": out}
            if not _bind_each(env, env.child(frame), frame, names, domains, 0, body, out):
                return None
            return check_weight(out)

        return run

    def _quantifier(self, node: Node, want: bool) -> Fn:
        names, domains, body = self._iterate(node)

        def run(env: Env) -> Any:
            out: list[Any] = []
            frame: dict[str, Any] = {}
            if not _bind_each(env, env.child(frame), frame, names, domains, 0, body, out):
                return None
            if want:
                return any(v is True for v in out)
            return all(v is True for v in out)

        return run

    def c_some(self, node: Node) -> Fn:
        return self._quantifier(node, True)

    def c_every(self, node: Node) -> Fn:
        return self._quantifier(node, False)

    def c_function(self, node: Node) -> Fn:
        params: tuple[str, ...] = node.value  # type: ignore[assignment]
        body = self.compile(node.args[0])  # type: ignore[arg-type]
        typed = node.args[1] if len(node.args) > 1 else None
        specs: tuple[Any, ...] = cast(tuple[Any, ...], typed.value) if typed else ()

        def make(env: Env) -> Function:
            def call(*args: Any) -> Any:
                env.budget.charge(1)
                for arg, spec in zip(args, specs, strict=False):
                    typed_arg = spec is not None and arg is not None
                    if typed_arg and instance_of(arg, spec, env.types) is not True:
                        return None  # an argument not of the declared type: null
                frame = dict(zip(params, [*args, *[None] * (len(params) - len(args))], strict=True))
                return body(env.child(frame))

            return Function("anonymous", (params,), call)

        return make

    def c_external(self, node: Node) -> Fn:
        """``function(...) external {java: ...}``: an allowlisted Java method (external.py)."""
        params: tuple[str, ...] = node.value  # type: ignore[assignment]
        mapping = self.compile(node.args[0])  # type: ignore[arg-type]
        return lambda env: java_function("external", params, mapping(env))

    def c_list(self, node: Node) -> Fn:
        items = [self.compile(a) for a in node.args]  # type: ignore[arg-type]
        return lambda env: check_weight([item(env) for item in items])

    def c_context(self, node: Node) -> Fn:
        keys: tuple[str, ...] = node.value  # type: ignore[assignment]
        if len(set(keys)) != len(keys):
            raise FeelError("duplicate context key")
        values = [self.compile(a) for a in node.args]  # type: ignore[arg-type]

        def run(env: Env) -> Any:
            out: dict[str, Any] = {}
            inner = env.child(out)
            for key, value in zip(keys, values, strict=True):
                out[key] = value(inner)
            return check_weight(out)

        return run

    def c_open_range(self, node: Node) -> Fn:
        bound = self.compile(node.args[0])  # type: ignore[arg-type]
        op = str(node.value)

        def run(env: Env) -> Any:
            value = bound(env)
            if op == "<":
                return Range(None, value, False, False)
            if op == "<=":
                return Range(None, value, False, True)
            if op == ">":
                return Range(value, None, False, False)
            if op == ">=":
                return Range(value, None, True, False)
            if op == "=":
                return Range(value, value, True, True, "=")
            return None

        return run

    def c_range(self, node: Node) -> Fn:
        start_closed, end_closed = cast(tuple[bool, bool], node.value)
        start, end = (self.compile(a) for a in node.args)  # type: ignore[arg-type]

        def run(env: Env) -> Any:
            a, b = start(env), end(env)
            if a is not None and b is not None:
                order = compare(a, b)
                if order is None or order > 0:
                    return None
            else:
                return None
            return Range(a, b, start_closed, end_closed)

        return run


def _index(items: list[Any], index: Decimal) -> Any:
    if index != index.to_integral_value():
        return None
    position = int(index)
    if position > 0 and position <= len(items):
        return items[position - 1]
    if position < 0 and -position <= len(items):
        return items[position]
    return None


def _bind_each(
    env: Env,
    inner: Env,
    frame: dict[str, Any],
    names: tuple[str, ...],
    domains: list[Fn],
    level: int,
    body: Fn,
    out: list[Any],
) -> bool:
    domain = domains[level](inner)
    items: Iterable[Any]
    if type(domain) is Range:
        found = _range_items(domain)
        if found is None:
            return False
        items = found
    elif domain is None:
        return False
    else:
        items = domain if type(domain) is list else [domain]
    for item in items:
        env.budget.charge(1)
        frame[names[level]] = item
        if level + 1 < len(names):
            if not _bind_each(env, inner, frame, names, domains, level + 1, body, out):
                return False
        else:
            out.append(body(inner))
    return True


def _range_items(value: Range) -> Iterator[Any] | None:
    """The whole numbers or days of a range, made one at a time (each charged to the step
    budget as it is bound, so ``[1..100000000000]`` stops at the budget, not in memory)."""
    a, b = value.start, value.end
    if type(a) is Decimal and type(b) is Decimal:
        lo = int(a) if value.start_closed else int(a) + 1
        hi = int(b) if value.end_closed else int(b) - 1
        return map(Decimal, range(lo, hi + 1))
    if type(a) is FeelDate and type(b) is FeelDate:
        first = a.days if value.start_closed else a.days + 1
        last = b.days if value.end_closed else b.days - 1
        return map(FeelDate.from_days, range(first, last + 1))
    return None
