"""Boxed expressions (literal, context, list, relation, invocation, function definition,
conditional, filter, iterators, decision table) compiled to ``fn(env) -> value``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bpmn_engine.expressions.feel import Env, Function, compile_feel
from bpmn_engine.expressions.feel.external import java_function
from bpmn_engine.expressions.feel.types import bind_arguments

from . import model as m
from .errors import DecisionError
from .tables import compile_table
from .typing_rules import TypeRegistry

Fn = Callable[[Env], Any]


def _boolean(value: Any, part: str, where: str | None) -> bool:
    """A boxed condition's value as a truth value: null counts as false, anything but a
    boolean is an error (DMN 1.5, 10.2.2.x: conditions are boolean)."""
    if value is None or type(value) is bool:
        return value is True
    raise DecisionError(f"the {part} expression gave {type(value).__name__}, not a boolean", where)


class BoxedCompiler:
    def __init__(self, names: tuple[str, ...], types: TypeRegistry) -> None:
        self.names = names
        self.types = types

    def compile(self, expr: m.Expression | None) -> Fn:
        if expr is None:
            return lambda env: None
        fn = self._compile(expr)
        type_ref = getattr(expr, "type_ref", None)
        if type_ref and not isinstance(expr, m.FunctionDefinition):
            coerce = self.types.coerce
            return lambda env: coerce(fn(env), type_ref)
        return fn

    def _compile(self, expr: m.Expression) -> Fn:
        if isinstance(expr, m.LiteralExpression):
            compiled = compile_feel(expr.text.strip() or "null", self.names)
            return compiled.run
        if isinstance(expr, m.DecisionTable):
            return compile_table(expr, self.names, self.types)
        if isinstance(expr, m.Context):
            return self.context(expr)
        if isinstance(expr, m.ListExpression):
            items = [self.compile(i) for i in expr.items]
            return lambda env: [item(env) for item in items]
        if isinstance(expr, m.Relation):
            columns = expr.columns
            rows = [[self.compile(cell) for cell in row] for row in expr.rows]
            return lambda env: [
                {c: cell(env) for c, cell in zip(columns, row, strict=False)} for row in rows
            ]
        if isinstance(expr, m.Invocation):
            return self.invocation(expr)
        if isinstance(expr, m.FunctionDefinition):
            return self.function(expr)
        if isinstance(expr, m.Conditional):
            cond, then, other = (
                self.compile(x) for x in (expr.condition, expr.then, expr.otherwise)
            )
            where = expr.id

            def conditional(env: Env) -> Any:
                return then(env) if _boolean(cond(env), "if", where) else other(env)

            return conditional
        if isinstance(expr, m.Filter):
            return self.filter(expr)
        if isinstance(expr, m.Iteration):
            return self.iteration(expr)
        raise DecisionError(f"unsupported expression {type(expr).__name__}", expr.id)

    def context(self, expr: m.Context) -> Fn:
        entries = [(e.name, e.type_ref, self.compile(e.value)) for e in expr.entries]

        def run(env: Env) -> Any:
            out: dict[str, Any] = {}
            inner = env.child(out)
            for name, type_ref, fn in entries:
                value = fn(inner)
                if type_ref:
                    value = self.types.coerce(value, type_ref)
                if name is None:
                    return value
                out[name] = value
            return out

        return run

    def invocation(self, expr: m.Invocation) -> Fn:
        callee = compile_feel(expr.callee or "null", self.names)
        bindings = [(b.name, self.compile(b.value)) for b in expr.bindings]

        def run(env: Env) -> Any:
            fn = callee.run(env)
            if type(fn) is not Function:
                raise DecisionError(f"no function named '{expr.callee}'", expr.id)
            named = {name: value(env) for name, value in bindings}
            bound = bind_arguments(fn, [], named)
            return None if bound is None else fn.call(*bound)

        return run

    def function(self, expr: m.FunctionDefinition) -> Fn:
        params = tuple(p.name for p in expr.parameters)
        if expr.kind.upper() == "JAVA":  # its body is the mapping {class, method signature}
            mapping = self.compile(expr.body)
            return lambda env: java_function("function", params, {"java": mapping(env)})
        if expr.kind.upper() != "FEEL":
            raise DecisionError(f"functions of kind {expr.kind} are not supported", expr.id)
        types = [p.type_ref for p in expr.parameters]
        body = self.compile(expr.body)
        coerce = self.types.coerce

        def make(env: Env) -> Function:
            def call(*args: Any) -> Any:
                env.budget.charge(1)
                values = list(args) + [None] * (len(params) - len(args))
                frame = {}
                for p, v, t in zip(params, values, types, strict=True):
                    frame[p] = coerce(v, t) if t else v
                    if frame[p] is None and v is not None:
                        return None  # an argument that does not conform: the call is null
                return body(env.child(frame))

            return Function("function", (params,), call)

        return make

    def filter(self, expr: m.Filter) -> Fn:
        source, match = self.compile(expr.source), self.compile(expr.match)

        def run(env: Env) -> Any:
            items = source(env)
            if items is None:
                return None
            if type(items) is not list:
                items = [items]
            out = []
            for item in items:
                env.budget.charge(1)
                frame = {"item": item}
                if type(item) is dict:
                    frame.update(item)
                if _boolean(match(env.child(frame)), "match", expr.id):
                    out.append(item)
            return out

        return run

    def iteration(self, expr: m.Iteration) -> Fn:
        source, body = self.compile(expr.source), self.compile(expr.body)
        variable, kind = expr.variable, expr.kind

        def run(env: Env) -> Any:
            items = source(env)
            if items is None:
                return None
            if type(items) is not list:
                items = [items]
            out = []
            for item in items:
                env.budget.charge(1)
                out.append(body(env.child({variable: item})))
            if kind == "for":
                return out
            checked = [_boolean(v, "satisfies", expr.id) for v in out]
            return any(checked) if kind == "some" else all(checked)

        return run
