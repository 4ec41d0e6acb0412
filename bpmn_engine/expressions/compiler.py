"""Closure compiler: turns a syntax tree into nested Python closures ``fn(scope)``.

Each node becomes one small closure, which is several times faster than walking the tree.
Work is bounded statically (tree size and depth are limited by the parser) plus a dynamic
step budget charged only where work can grow: calls, methods, filters and membership tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .compiler_ops import Fn, OperatorCompiler
from .dialects import NEGATE, juel_bool
from .errors import EvalFailure, ParseFailure, UnknownVariable
from .functions import FUNCTIONS
from .limits import Scope, size_cost
from .methods import METHOD_NAMES, call_method
from .nodes import EXECUTION_METHODS, Node
from .temporal import temporal_property
from .values import NUMBERS, is_empty, negate, plain_truth, type_name

_KEY_TYPES = (str, int, float, bool, type(None))


class _Missing(EvalFailure):
    """Raised by existence probes (``is defined``)."""

    def __init__(self) -> None:
        super().__init__("not defined")


class ItemVars:
    """Variables seen inside a FEEL filter: the item's keys, ``item``, then the outer scope."""

    __slots__ = ("item", "outer")

    def __init__(self, outer: Any) -> None:
        self.outer = outer
        self.item: Any = None

    def __contains__(self, name: str) -> bool:
        item = self.item
        return name == "item" or (type(item) is dict and name in item) or name in self.outer

    def __getitem__(self, name: str) -> Any:
        item = self.item
        if type(item) is dict and name in item:
            return item[name]
        if name == "item":
            return item
        return self.outer[name]


def get_property(obj: Any, key: str, dialect: str) -> Any:
    """``obj.key``: a mapping key (missing is null), a whitelisted date property, or, in
    FEEL, the projection over a list. Nothing else has properties (an error, or null in
    FEEL)."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    if dialect == "feel" and type(obj) in (list, tuple):
        return [get_property(item, key, dialect) for item in obj]
    try:
        return temporal_property(obj, key)
    except (KeyError, AttributeError, TypeError):
        if dialect == "feel":  # FEEL: a path on a non-context value is null
            return None
        raise EvalFailure(f"cannot read property '{key}' of {type_name(obj)}") from None


def get_index(obj: Any, index: Any, dialect: str) -> Any:
    """``obj[index]``: mapping lookup (missing is null) or sequence position (0-based;
    1-based in FEEL with negative positions counting from the end)."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        if type(index) not in _KEY_TYPES:
            raise EvalFailure(f"invalid key of type {type_name(index)}")
        return obj.get(index)
    if type(obj) not in (list, tuple, str):
        raise EvalFailure(f"cannot index {type_name(obj)}")
    if type(index) is float and index.is_integer():
        index = int(index)
    if type(index) is not int:
        raise EvalFailure(f"index must be an integer, got {type_name(index)}")
    if dialect == "feel":
        if index == 0:
            return None
        index = index - 1 if index > 0 else index
    if -len(obj) <= index < len(obj):
        return obj[index]
    if dialect == "plain":
        raise EvalFailure(f"index {index} out of range")
    return None


class Compiler(OperatorCompiler):
    """Compiles trees of one dialect; raises :class:`ParseFailure` for static errors."""

    def __init__(self, dialect: str) -> None:
        super().__init__(dialect)
        self.functions = FUNCTIONS[dialect]

    def c_lit(self, node: Node) -> Fn:
        value = node.value
        return lambda s: value

    def c_name(self, node: Node) -> Fn:
        name = node.value
        if self.dialect == "feel":

            def feel_name(s: Scope) -> Any:
                v = s.vars
                return v[name] if name in v else None  # noqa: SIM401 (only in and [])

            return feel_name

        def lookup(s: Scope) -> Any:
            v = s.vars
            if name in v:
                return v[name]
            raise UnknownVariable(str(name))

        return lookup

    def c_attr(self, node: Node) -> Fn:
        obj, key, dialect = self.compile(node.args[0]), str(node.value), self.dialect  # type: ignore[arg-type]

        def attr(s: Scope) -> Any:
            o = obj(s)
            if type(o) is dict:
                return o.get(key)
            if type(o) is list:
                s.charge(len(o))
            return get_property(o, key, dialect)

        return attr

    def c_index(self, node: Node) -> Fn:
        obj, index = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        dialect = self.dialect
        return lambda s: get_index(obj(s), index(s), dialect)

    def c_slice(self, node: Node) -> Fn:
        obj, start, stop = (None if a is None else self.compile(a) for a in node.args)

        def bound(fn: Fn | None, s: Scope) -> int | None:
            value = None if fn is None else fn(s)
            if value is not None and type(value) is not int:
                raise EvalFailure(f"slice bounds must be integers, got {type_name(value)}")
            return value

        def slicer(s: Scope) -> Any:
            o = obj(s)  # type: ignore[misc]
            if type(o) not in (list, tuple, str):
                raise EvalFailure(f"cannot slice {type_name(o)}")
            return o[bound(start, s) : bound(stop, s)]

        return slicer

    def c_filter(self, node: Node) -> Fn:
        seq, cond = (self.compile(a) for a in node.args)  # type: ignore[arg-type]
        cost, probe = node.args[1].size() + 1, node.value == "auto"  # type: ignore[union-attr]

        def filtered(s: Scope) -> Any:
            items = seq(s)
            if probe:
                try:
                    pos = cond(s)
                except EvalFailure:
                    pos = None
                if type(pos) in NUMBERS:
                    return get_index(items, pos, "feel")
            if items is None:
                return None
            if type(items) not in (list, tuple):
                items = [items]
            s.charge(cost * len(items))
            inner = ItemVars(s.vars)
            child = Scope(inner, s.steps)
            out = []
            for item in items:
                inner.item = item
                if cond(child) is True:
                    out.append(item)
            s.steps = child.steps
            return out

        return filtered

    def c_call(self, node: Node) -> Fn:
        name = str(node.value)
        entry = self.functions.get(name)
        if entry is None:
            raise ParseFailure(f"unknown function '{name}'", node.pos)
        fn, low, high = entry
        if len(node.args) < low or (high is not None and len(node.args) > high):
            expected = str(low) if low == high else f"{low} to {high if high else 'any'}"
            raise ParseFailure(
                f"{name}() takes {expected} argument(s), got {len(node.args)}", node.pos
            )
        if name == "is defined":
            return self.is_defined(node.args[0])  # type: ignore[arg-type]
        args = [self.compile(a) for a in node.args]  # type: ignore[arg-type]

        def call(s: Scope) -> Any:
            values = [a(s) for a in args]
            s.charge(1 + sum(size_cost(v) for v in values))
            return fn(*values)

        return call

    def is_defined(self, node: Node) -> Fn:
        probe = self.probe(node)

        def defined(s: Scope) -> bool:
            try:
                probe(s)
            except EvalFailure:
                return False
            return True

        return defined

    def probe(self, node: Node) -> Fn:
        """Like :meth:`compile` but raising for names and keys that do not exist."""
        if node.kind == "name":
            name = node.value

            def name_probe(s: Scope) -> Any:
                if name in s.vars:
                    return s.vars[name]
                raise _Missing()

            return name_probe
        if node.kind == "attr":
            parent, key = self.probe(node.args[0]), node.value  # type: ignore[arg-type]

            def attr_probe(s: Scope) -> Any:
                o = parent(s)
                if isinstance(o, Mapping) and key in o:
                    return o[key]
                raise _Missing()

            return attr_probe
        return self.compile(node)

    def c_method(self, node: Node) -> Fn:
        target, *arg_nodes = node.args
        name = str(node.value)
        if target.kind == "name" and target.value == "execution" and name in EXECUTION_METHODS:  # type: ignore[union-attr]
            return self.execution_method(node, name, arg_nodes)  # type: ignore[arg-type]
        if name not in METHOD_NAMES:
            raise ParseFailure(f"unknown method '{name}'", node.pos)
        obj, args = self.compile(target), [self.compile(a) for a in arg_nodes]  # type: ignore[arg-type]

        def method(s: Scope) -> Any:
            o = obj(s)
            values = [a(s) for a in args]
            s.charge(1 + size_cost(o))
            return call_method(o, name, values)

        return method

    def execution_method(self, node: Node, name: str, arg_nodes: list[Node]) -> Fn:
        if len(arg_nodes) != 1:
            raise ParseFailure(f"execution.{name}() takes 1 argument", node.pos)
        arg, has = self.compile(arg_nodes[0]), name == "hasVariable"

        def execution(s: Scope) -> Any:
            key = arg(s)
            if type(key) is not str:
                raise EvalFailure(f"variable name must be a string, got {type_name(key)}")
            v = s.vars
            return key in v if has else (v[key] if key in v else None)  # noqa: SIM401

        return execution

    def c_unary(self, node: Node) -> Fn:
        op, operand = node.value, self.compile(node.args[0])  # type: ignore[arg-type]
        if op == "empty":

            def empty(s: Scope) -> bool:
                try:
                    return is_empty(operand(s))
                except UnknownVariable:
                    return True

            return empty
        if op == "not":
            if self.dialect == "feel":
                return lambda s: (not v) if type(v := operand(s)) is bool else None
            truth = juel_bool if self.dialect == "juel" else plain_truth
            return lambda s: not truth(operand(s))
        neg = NEGATE.get(self.dialect, negate)
        if op == "+":
            return lambda s: neg(neg(operand(s)))
        return lambda s: neg(operand(s))
