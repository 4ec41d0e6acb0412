"""Scripts: straight-line statements over the expression language (no loops, no defs).

Statements are separated by newlines or ``;``::

    name = expr          name.path = expr        name['k'] = expr
    name += expr         (also -=, *=, /=)       expr   (evaluated, result discarded)
    if cond: statement   (plain dialect only, on one line)

Nested assignments copy every mapping/list on the path (copy on write), so the caller's
variables are never mutated. :meth:`Script.run` returns only the assigned variables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from .api import _EMPTY, describe_failure, resolve_dialect
from .compiler import Compiler, get_index, get_property
from .errors import (
    EvalFailure,
    ExpressionError,
    ExpressionSyntaxError,
    ParseFailure,
    UnknownVariable,
)
from .frontend import check_length, feel_start
from .limits import Scope, check_weight
from .nodes import Node, names_read
from .parser import Parser
from .tokens import tokenize
from .values import type_name

Statement = Callable[[Scope, dict], None]
_ASSIGN_OPS = {"=": None, "+=": "+", "-=": "-", "*=": "*", "/=": "/"}
_SEPARATORS = ("nl", ";")


class Assign:
    """Parsed ``target op= value``; ``steps`` are ``("key", str)`` or ``("index", Node)``."""

    __slots__ = ("name", "op", "pos", "steps", "value")

    def __init__(self, name: str, steps: list, op: str | None, value: Node, pos: int) -> None:
        self.name, self.steps, self.op, self.value, self.pos = name, steps, op, value, pos


class ScriptVars:
    """Read view: variables assigned so far by the script, then the caller's variables."""

    __slots__ = ("assigned", "base")

    def __init__(self, assigned: dict, base: Mapping[str, Any]) -> None:
        self.assigned, self.base = assigned, base

    def __contains__(self, name: str) -> bool:
        return name in self.assigned or name in self.base

    def __getitem__(self, name: str) -> Any:
        assigned = self.assigned
        return assigned[name] if name in assigned else self.base[name]


# -- parsing -------------------------------------------------------------------------------
def _target(p: Parser) -> tuple[str, list] | None:
    tok = p.advance()
    p.check_name(str(tok.value), tok.pos)
    steps: list = []
    while p.at(".") or p.at("["):
        if p.advance().value == ".":
            key = p.advance()
            if key.kind not in ("name", "kw"):
                return None
            p.check_name(str(key.value), key.pos)
            steps.append(("key", key.value))
        else:
            steps.append(("index", p.expression()))
            p.expect("]")
    return str(tok.value), steps


def _statement(p: Parser) -> Any:
    tok = p.peek()
    if p.dialect == "plain" and tok.kind == "kw" and tok.value == "if":
        p.advance()
        cond = p.expression()
        p.expect(":")
        return ("if", cond, _statement(p))
    if tok.kind == "name":
        start = p.i
        try:
            target = _target(p)
        except ParseFailure:
            target = None
        op_tok = p.peek()
        if target is not None and op_tok.kind == "op" and op_tok.value in _ASSIGN_OPS:
            p.advance()
            return Assign(*target, _ASSIGN_OPS[str(op_tok.value)], p.expression(), tok.pos)
        p.i = start
    return ("expr", p.expression())


def parse_script(text: str, dialect: str) -> list[Any]:
    """Parse ``text`` into a list of statements."""
    check_length(text)
    start = feel_start(text) if dialect == "feel" else 0
    tokens, _ = tokenize(text, dialect, start, statements=True)
    p = Parser(text, tokens, dialect)
    statements: list[Any] = []
    while True:
        while p.peek().kind == "nl" or p.at(";"):
            p.advance()
        if p.peek().kind == "end":
            return statements
        statements.append(_statement(p))
        tok = p.peek()
        if tok.kind != "end" and tok.kind != "nl" and not p.at(";"):
            p.fail(f"unexpected {tok.value!r} (statements are separated by ';' or lines)", tok.pos)


# -- compiling -------------------------------------------------------------------------------
def set_path(container: Any, keys: list, value: Any, dialect: str) -> Any:
    """Copy of ``container`` with ``value`` stored at the ``keys`` path."""
    key, rest = keys[0], keys[1:]
    if container is None:
        container = {}
    if isinstance(container, Mapping):
        if type(key) not in (str, int, float, bool):
            raise EvalFailure(f"invalid key of type {type_name(key)}")
        copy = dict(container)
        copy[key] = set_path(copy.get(key), rest, value, dialect) if rest else value
        return copy
    if type(container) in (list, tuple):
        if type(key) is not int:
            raise EvalFailure(f"list index must be an integer, got {type_name(key)}")
        index = key - 1 if dialect == "feel" and key > 0 else key
        if (dialect == "feel" and key == 0) or not -len(container) <= index < len(container):
            raise EvalFailure(f"list index {key} out of range")
        items = list(container)
        items[index] = set_path(items[index], rest, value, dialect) if rest else value
        return items
    raise EvalFailure(f"cannot assign into {type_name(container)}")


def _read_path(root: Any, keys: list, dialect: str) -> Any:
    for key in keys:
        root = (
            get_property(root, key, dialect) if type(key) is str else get_index(root, key, dialect)
        )
    return root


def _compile_assign(stmt: Assign, compiler: Compiler) -> Statement:
    name, value = stmt.name, compiler.compile(stmt.value)
    if not stmt.steps and stmt.op is None:

        def assign(s: Scope, assigned: dict) -> None:
            assigned[name] = value(s)

        return assign
    op = None if stmt.op is None else compiler.operator(stmt.op, stmt.pos)
    steps = [(kind, k if kind == "key" else compiler.compile(k)) for kind, k in stmt.steps]
    dialect = compiler.dialect

    def assign_path(s: Scope, assigned: dict) -> None:
        new = value(s)
        keys = [k if kind == "key" else k(s) for kind, k in steps]
        exists = name in s.vars
        root = s.vars[name] if exists else None
        if op is not None:
            if not exists:
                raise UnknownVariable(name)
            new = op(_read_path(root, keys, dialect), new)
        # a path assignment can nest a value into itself: check the size of the result
        assigned[name] = check_weight(set_path(root, keys, new, dialect) if keys else new)

    return assign_path


def _compile_statement(stmt: Any, compiler: Compiler) -> Statement:
    if isinstance(stmt, Assign):
        return _compile_assign(stmt, compiler)
    if stmt[0] == "if":
        cond, body, truth = (
            compiler.compile(stmt[1]),
            _compile_statement(stmt[2], compiler),
            compiler.truth,
        )

        def when(s: Scope, assigned: dict) -> None:
            if truth(cond(s)):
                body(s, assigned)

        return when
    fn = compiler.compile(stmt[1])

    def expression(s: Scope, assigned: dict) -> None:
        fn(s)

    return expression


def _names(stmt: Any) -> tuple[set[str], set[str]]:
    if isinstance(stmt, Assign):
        read = set(names_read(stmt.value))
        for kind, key in stmt.steps:
            if kind == "index":
                read.update(names_read(key))
        if stmt.steps or stmt.op:
            read.add(stmt.name)
        return read, {stmt.name}
    if stmt[0] == "if":
        read, written = _names(stmt[2])
        return read | set(names_read(stmt[1])), written
    return set(names_read(stmt[1])), set()


class Script:
    """A compiled script; :meth:`run` returns ``{name: value}`` for assigned names only."""

    __slots__ = ("_statements", "assigned_names", "dialect", "source", "variable_names")

    def __init__(self, source: str, dialect: str, statements: list[Any]) -> None:
        compiler = Compiler(dialect)
        self.source, self.dialect = source, dialect
        self._statements = [_compile_statement(st, compiler) for st in statements]
        read: set[str] = set()
        written: set[str] = set()
        for st in statements:
            r, w = _names(st)
            read |= r - written
            written |= w
        self.variable_names = frozenset(read)
        self.assigned_names = frozenset(written)

    def run(self, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run against ``variables`` (never mutated); return the assigned variables."""
        assigned: dict[str, Any] = {}
        scope = Scope(ScriptVars(assigned, _EMPTY if variables is None else variables))
        try:
            for statement in self._statements:
                statement(scope, assigned)
        except EvalFailure as exc:
            raise ExpressionError(self.source, exc.reason) from None
        except Exception as exc:
            raise ExpressionError(self.source, describe_failure(exc)) from exc
        return assigned

    def __repr__(self) -> str:
        return f"Script({self.source!r}, dialect={self.dialect!r})"


def _script_dialect(text: str) -> str:
    return "feel" if text.lstrip().startswith("=") else "plain"


@lru_cache(maxsize=1024)
def _compile_script(text: str, dialect: str | None) -> Script:
    resolved = resolve_dialect(text, _script_dialect(text) if dialect is None else dialect)
    try:
        return Script(text, resolved, parse_script(text, resolved))
    except ParseFailure as exc:
        raise ExpressionSyntaxError(text, exc.message, exc.position) from None
    except RecursionError:
        raise ExpressionError(text, "script nested too deeply") from None
    except Exception as exc:  # defensive: never let a raw exception escape
        raise ExpressionError(text, describe_failure(exc)) from exc


def compile_script(text: str, *, dialect: str | None = None) -> Script:
    """Parse and compile a script once (cached). ``dialect`` ``None``: FEEL when the text
    starts with ``=``, else plain."""
    if type(text) is not str:
        raise ExpressionError(repr(text), f"expected a string, got {type(text).__name__}")
    return _compile_script(text, dialect)


def run_script(
    text: str, variables: Mapping[str, Any] | None = None, *, dialect: str | None = None
) -> dict[str, Any]:
    """Compile (cached) and run a script; returns the assigned variables."""
    return compile_script(text, dialect=dialect).run(variables)
