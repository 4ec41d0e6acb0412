"""Syntax tree shared by all dialects.

One generic :class:`Node` keeps the parser and compiler small. Kinds and their fields:

========  ==========================  =========================================
kind      value                       args
========  ==========================  =========================================
lit       the constant                ()
name      variable name               ()
attr      property name               (object,)
index     None                        (object, index)
slice     None                        (object, start | None, stop | None)
filter    None                        (list, condition)          FEEL only
call      function name               arguments
method    method name                 (object, *arguments)
unary     "-", "+", "not", "empty"    (operand,)
binary    operator                    (left, right)
compare   tuple of operators          operands (chained comparison)
and/or    None                        operands (flattened)
ternary   None                        (condition, then, otherwise)
list      None                        items
dict      None                        key, value, key, value, ...
range     (start_incl, end_incl)      (start, end)               FEEL only
between   None                        (value, low, high)         FEEL only
template  None                        parts (JUEL composite text)
========  ==========================  =========================================
"""

from __future__ import annotations

from collections.abc import Iterator


class Node:
    """A syntax tree node; ``depth`` is the height of the subtree rooted here."""

    __slots__ = ("args", "depth", "kind", "pos", "value")

    def __init__(self, kind: str, pos: int, value: object = None, args: tuple = ()) -> None:
        self.kind = kind
        self.pos = pos
        self.value = value
        self.args: tuple[Node | None, ...] = args
        self.depth = 1 + max((a.depth for a in args if a is not None), default=0)

    def children(self) -> Iterator[Node]:
        """Non-empty child nodes."""
        return (a for a in self.args if a is not None)

    def size(self) -> int:
        """Number of nodes in this subtree."""
        return 1 + sum(c.size() for c in self.children())

    def __repr__(self) -> str:
        inner = ", ".join(repr(a) for a in self.args)
        return f"{self.kind}({self.value!r}{', ' if inner else ''}{inner})"


def names_read(node: Node) -> Iterator[str]:
    """Top-level variable names a tree reads (names inside FEEL filters are skipped,
    since they may refer to properties of the filtered items)."""
    if node.kind == "name":
        yield str(node.value)
        return
    if node.kind == "filter":
        yield from names_read(node.args[0])  # type: ignore[arg-type]
        return
    if (
        node.kind == "method"
        and node.value in EXECUTION_METHODS
        and node.args[0] is not None
        and node.args[0].kind == "name"
        and node.args[0].value == "execution"
    ):
        for arg in node.args[1:]:
            if arg is not None and arg.kind == "lit" and isinstance(arg.value, str):
                yield arg.value
            elif arg is not None:
                yield from names_read(arg)
        return
    for child in node.children():
        yield from names_read(child)


EXECUTION_METHODS = frozenset({"getVariable", "getVariableLocal", "hasVariable"})
