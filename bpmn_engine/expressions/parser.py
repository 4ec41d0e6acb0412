"""Pratt parser turning tokens of any dialect into the shared :mod:`.nodes` tree."""

from __future__ import annotations

from typing import NoReturn

from .errors import ParseFailure
from .limits import MAX_DEPTH
from .nodes import Node
from .tokens import FORBIDDEN_KEYWORDS, Token

TERNARY, OR, AND, NOT, CMP, ADD, MUL, UNARY, POW, POSTFIX = 10, 20, 30, 40, 50, 60, 70, 80, 85, 100

_COMMON = {
    "+": ADD,
    "-": ADD,
    "*": MUL,
    "/": MUL,
    ".": POSTFIX,
    "[": POSTFIX,
    "(": POSTFIX,
    "==": CMP,
    "!=": CMP,
    "<": CMP,
    ">": CMP,
    "<=": CMP,
    ">=": CMP,
    "and": AND,
    "or": OR,
    "&&": AND,
    "||": OR,
}
INFIX: dict[str, dict[str, int]] = {
    "plain": {
        **_COMMON,
        "//": MUL,
        "%": MUL,
        "**": POW,
        "in": CMP,
        "not": CMP,
        "is": CMP,
        "if": TERNARY,
    },
    "juel": {
        **_COMMON,
        "div": MUL,
        "mod": MUL,
        "%": MUL,
        "eq": CMP,
        "ne": CMP,
        "lt": CMP,
        "gt": CMP,
        "le": CMP,
        "ge": CMP,
        "?": TERNARY,
    },
    "feel": {**_COMMON, "=": CMP, "**": POW, "in": CMP, "between": CMP},
}
ALIASES = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
    "&&": "and",
    "||": "or",
    "!": "not",
}
COMPARISONS = frozenset({"==", "!=", "<", ">", "<=", ">=", "in", "not", "is"})
_CONSTANTS = {
    "true": True,
    "false": False,
    "null": None,
    "True": True,
    "False": False,
    "None": None,
}
_FILTER_KINDS = frozenset({"compare", "and", "or", "between"})


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "end of expression"
    if tok.kind == "nl":
        return "end of line"
    return repr(tok.value)


class Parser:
    """Recursive Pratt parser over a token list for one dialect."""

    def __init__(self, source: str, tokens: list[Token], dialect: str) -> None:
        self.source = source
        self.tokens = tokens
        self.dialect = dialect
        self.infix = INFIX[dialect]
        self.i = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def at(self, value: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind in ("op", "kw") and tok.value == value

    def expect(self, value: str) -> Token:
        if not self.at(value):
            tok = self.peek()
            self.reject_unsupported(tok)
            self.fail(f"expected {value!r} but found {_describe(tok)}", tok.pos)
        return self.advance()

    def reject_unsupported(self, tok: Token) -> None:
        """Clear message for Python/FEEL constructs that are deliberately unsupported."""
        if (tok.kind == "kw" and tok.value in FORBIDDEN_KEYWORDS) or (
            tok.kind == "op" and tok.value == ":="
        ):
            self.fail(f"'{tok.value}' is not supported", tok.pos)

    def fail(self, message: str, pos: int) -> NoReturn:
        raise ParseFailure(message, pos)

    def node(self, kind: str, pos: int, value: object = None, args: tuple = ()) -> Node:
        n = Node(kind, pos, value, args)
        if n.depth > MAX_DEPTH:
            self.fail(f"expression nested deeper than {MAX_DEPTH} levels", pos)
        return n

    # -- entry points --------------------------------------------------------------
    def parse_all(self) -> Node:
        """Parse one expression that must span all tokens."""
        tok = self.peek()
        if tok.kind == "end":
            self.fail("empty expression", tok.pos)
        tree = self.expression()
        self.expect_end()
        return tree

    def expect_end(self) -> None:
        tok = self.peek()
        if tok.kind != "end":
            hint = " (use '==' to compare)" if tok.value == "=" else ""
            self.reject_unsupported(tok)
            self.fail(f"unexpected {_describe(tok)}{hint}", tok.pos)

    def expression(self, rbp: int = 0) -> Node:
        """Parse an expression whose operators bind tighter than ``rbp``."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                self.fail(f"expression nested deeper than {MAX_DEPTH} levels", self.peek().pos)
            left = self.nud(self.advance())
            while True:
                tok = self.tokens[self.i]
                lbp = self.infix.get(str(tok.value)) if tok.kind in ("op", "kw") else None
                if lbp is None or lbp <= rbp:
                    return left
                self.i += 1
                left = self.led(tok, left, lbp)
        finally:
            self.depth -= 1

    # -- prefix ------------------------------------------------------------------
    def nud(self, tok: Token) -> Node:
        kind, value, pos = tok
        if kind in ("num", "str"):
            return self.node("lit", pos, value)
        if kind == "name":
            self.check_name(str(value), pos)
            return self.node("name", pos, value)
        if kind == "kw" and value in _CONSTANTS:
            return self.node("lit", pos, _CONSTANTS[str(value)])
        if kind == "kw" and value in FORBIDDEN_KEYWORDS:
            self.fail(f"'{value}' is not supported", pos)
        handler = _PREFIX.get(str(value)) if kind in ("op", "kw") else None
        if handler is None:
            self.fail(f"unexpected {_describe(tok)}", pos)
        return handler(self, tok)

    def check_name(self, name: str, pos: int) -> None:
        if name.startswith("__"):
            self.fail(f"names starting with '__' are not allowed: {name!r}", pos)

    def prefix_minus(self, tok: Token) -> Node:
        operand = self.expression(UNARY)
        if operand.kind == "lit" and type(operand.value) in (int, float):
            value = operand.value if tok.value == "+" else -operand.value  # type: ignore[operator]
            return self.node("lit", tok.pos, value)
        return self.node("unary", tok.pos, tok.value, (operand,))

    def prefix_not(self, tok: Token) -> Node:
        rbp = NOT if self.dialect == "plain" and tok.value == "not" else UNARY
        return self.node("unary", tok.pos, "not", (self.expression(rbp),))

    def prefix_empty(self, tok: Token) -> Node:
        return self.node("unary", tok.pos, "empty", (self.expression(UNARY),))

    def prefix_if(self, tok: Token) -> Node:
        if self.dialect != "feel":
            self.fail("unexpected 'if'", tok.pos)
        cond = self.expression()
        self.expect("then")
        then = self.expression()
        self.expect("else")
        return self.node("ternary", tok.pos, None, (cond, then, self.expression()))

    def items(self, closer: str) -> list[Node]:
        """Comma separated expressions up to ``closer`` (consumed); trailing comma ok."""
        out: list[Node] = []
        while not self.at(closer):
            out.append(self.expression())
            if not self.at(closer):
                self.expect(",")
        self.advance()
        return out

    def feel_range(self, start: Node, start_incl: bool, pos: int) -> Node:
        self.expect("..")
        end = self.expression()
        close = self.peek()
        if not (self.at("]") or self.at(")")):
            self.fail(
                f"expected ']' or ')' to close the range, found {_describe(close)}", close.pos
            )
        self.advance()
        return self.node("range", pos, (start_incl, close.value == "]"), (start, end))

    def prefix_paren(self, tok: Token) -> Node:
        if self.at(")"):
            self.advance()
            return self.node("list", tok.pos)
        first = self.expression()
        if self.dialect == "feel" and self.at(".."):
            return self.feel_range(first, False, tok.pos)
        if self.at(","):
            self.advance()
            return self.node("list", tok.pos, None, (first, *self.items(")")))
        self.expect(")")
        return first

    def prefix_list(self, tok: Token) -> Node:
        if self.at("]"):
            self.advance()
            return self.node("list", tok.pos)
        first = self.expression()
        if self.dialect == "feel" and self.at(".."):
            return self.feel_range(first, True, tok.pos)
        if not self.at("]"):
            self.expect(",")
        return self.node("list", tok.pos, None, (first, *self.items("]")))

    def prefix_dict(self, tok: Token) -> Node:
        args: list[Node] = []
        while not self.at("}"):
            key_tok = self.peek()
            if (
                self.dialect == "feel"
                and key_tok.kind in ("name", "kw")
                and self.peek(1).value == ":"
            ):
                self.advance()
                args.append(self.node("lit", key_tok.pos, key_tok.value))
            else:
                args.append(self.expression())
            self.expect(":")
            args.append(self.expression())
            if not self.at("}"):
                self.expect(",")
        self.advance()
        return self.node("dict", tok.pos, None, tuple(args))

    # -- infix ---------------------------------------------------------------------
    def led(self, tok: Token, left: Node, lbp: int) -> Node:
        op = ALIASES.get(str(tok.value), str(tok.value))
        if self.dialect == "feel" and op == "=":
            op = "=="
        handler = _INFIX_HANDLERS.get(op)
        if handler is not None:
            return handler(self, tok, left)
        if op in COMPARISONS:
            return self.compare(tok, left, op)
        right = self.expression(lbp - 1 if op == "**" else lbp)
        return self.node("binary", tok.pos, op, (left, right))

    def compare_op(self, op: str) -> str:
        if op == "not":
            self.expect("in")
            return "not in"
        if op == "is" and self.at("not"):
            self.advance()
            return "is not"
        return op

    def compare_token(self, tok: Token) -> str | None:
        """The canonical comparison operator ``tok`` continues a chain with, if any."""
        if tok.kind not in ("op", "kw") or self.infix.get(str(tok.value)) != CMP:
            return None
        op = ALIASES.get(str(tok.value), str(tok.value))
        if self.dialect == "feel":
            if op in ("in", "between"):
                return None
            op = "==" if op == "=" else op
        return op if op in COMPARISONS else None

    def compare(self, tok: Token, left: Node, op: str) -> Node:
        ops = [self.compare_op(op)]
        operands = [left, self.expression(CMP)]
        while (nop := self.compare_token(self.peek())) is not None:
            self.advance()
            ops.append(self.compare_op(nop))
            operands.append(self.expression(CMP))
        if len(ops) == 1:
            return self.node("binary", tok.pos, ops[0], tuple(operands))
        return self.node("compare", tok.pos, tuple(ops), tuple(operands))

    def infix_bool(self, tok: Token, left: Node) -> Node:
        op = ALIASES.get(str(tok.value), str(tok.value))
        right = self.expression(AND if op == "and" else OR)
        parts = (*left.args, right) if left.kind == op else (left, right)
        return self.node(op, tok.pos, None, parts)

    def infix_attr(self, tok: Token, left: Node) -> Node:
        name_tok = self.advance()
        if name_tok.kind not in ("name", "kw"):
            self.fail(
                f"expected a property name after '.', found {_describe(name_tok)}", name_tok.pos
            )
        name = str(name_tok.value)
        self.check_name(name, name_tok.pos)
        if self.at("("):
            self.advance()
            return self.node("method", name_tok.pos, name, (left, *self.items(")")))
        return self.node("attr", name_tok.pos, name, (left,))

    def infix_call(self, tok: Token, left: Node) -> Node:
        if left.kind != "name":
            self.fail("only built-in functions and methods can be called", tok.pos)
        return self.node("call", left.pos, left.value, tuple(self.items(")")))

    def infix_index(self, tok: Token, left: Node) -> Node:
        if self.dialect == "plain" and self.at(":"):
            return self.slice_rest(tok, left, None)
        index = self.expression()
        if self.dialect == "plain" and self.at(":"):
            return self.slice_rest(tok, left, index)
        self.expect("]")
        if self.dialect != "feel":
            return self.node("index", tok.pos, None, (left, index))
        if index.kind == "lit" and type(index.value) in (int, float):
            return self.node("index", tok.pos, None, (left, index))
        definite = (
            index.kind in _FILTER_KINDS
            or index.kind == "unary"
            or (index.kind == "binary" and index.value in COMPARISONS)
            or _mentions_item(index)
        )
        return self.node("filter", tok.pos, True if definite else "auto", (left, index))

    def slice_rest(self, tok: Token, left: Node, start: Node | None) -> Node:
        self.expect(":")
        stop = None if self.at("]") else self.expression()
        self.expect("]")
        return self.node("slice", tok.pos, None, (left, start, stop))

    def infix_juel_ternary(self, tok: Token, left: Node) -> Node:
        then = self.expression()
        self.expect(":")
        return self.node("ternary", tok.pos, None, (left, then, self.expression(TERNARY - 1)))

    def infix_plain_ternary(self, tok: Token, left: Node) -> Node:
        cond = self.expression(TERNARY)
        self.expect("else")
        return self.node("ternary", tok.pos, None, (cond, left, self.expression(TERNARY - 1)))

    def infix_in(self, tok: Token, left: Node) -> Node:
        if self.dialect != "feel":
            return self.compare(tok, left, "in")
        nxt = self.peek()
        if nxt.kind == "op" and nxt.value in ("<", "<=", ">", ">=", "=", "!="):
            self.advance()
            op = "==" if nxt.value == "=" else str(nxt.value)
            return self.node("binary", nxt.pos, op, (left, self.expression(CMP)))
        return self.node("binary", tok.pos, "in", (left, self.expression(CMP)))

    def infix_between(self, tok: Token, left: Node) -> Node:
        low = self.expression(AND)
        self.expect("and")
        return self.node("between", tok.pos, None, (left, low, self.expression(AND)))


def _mentions_item(node: Node) -> bool:
    if node.kind == "name" and node.value == "item":
        return True
    return any(_mentions_item(c) for c in node.children())


_PREFIX = {
    "-": Parser.prefix_minus,
    "+": Parser.prefix_minus,
    "!": Parser.prefix_not,
    "not": Parser.prefix_not,
    "empty": Parser.prefix_empty,
    "if": Parser.prefix_if,
    "(": Parser.prefix_paren,
    "[": Parser.prefix_list,
    "{": Parser.prefix_dict,
}
_INFIX_HANDLERS = {
    "and": Parser.infix_bool,
    "or": Parser.infix_bool,
    ".": Parser.infix_attr,
    "(": Parser.infix_call,
    "[": Parser.infix_index,
    "?": Parser.infix_juel_ternary,
    "if": Parser.infix_plain_ternary,
    "in": Parser.infix_in,
    "between": Parser.infix_between,
}
