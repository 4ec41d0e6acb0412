"""FEEL Pratt parser: expressions and unary tests to :class:`~..nodes.Node` trees.

Node kinds: ``lit``, ``name``, ``path`` (value: member), ``filter``, ``call`` (value:
named-argument names or None; args: callee, arguments), ``neg``, ``arith`` (value: op),
``cmp`` (value: op), ``and``, ``or``, ``between``, ``in`` (args: value, test),
``instance`` (value: type), ``if``, ``for``/``some``/``every`` (value: names; args:
domains then body), ``function`` (value: parameter names; args: body), ``list``,
``context`` (value: keys), ``range`` (value: closed flags), and unary tests ``t_any``,
``t_cmp`` (value: op), ``t_expr``, ``t_not``, ``t_or``.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParseFailure
from ..limits import MAX_DEPTH
from ..nodes import Node
from .lexer import BUILTIN_NAMES, KEYWORDS, Token, tokenize
from .temporal import parse_temporal

_COMPARE = ("=", "!=", "<", "<=", ">", ">=")
_BP = {"or": 10, "and": 20, "+": 40, "-": 40, "*": 50, "/": 50, "**": 60}
_CMP_BP = 30
_POSTFIX_BP = 80
_STOP = KEYWORDS - {"of"}


class Parser:
    def __init__(self, text: str, names: tuple[str, ...] = ()) -> None:
        self.text = text
        known = tuple(sorted({*names, *BUILTIN_NAMES}, key=len, reverse=True))
        self.tokens = tokenize(text, known)
        self.i = 0
        self.depth = 0
        self.range_end_depth = -1

    # -- token helpers -------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[min(self.i, len(self.tokens) - 1)]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def at(self, text: str) -> bool:
        tok = self.tok
        return tok.kind in ("op", "name") and tok.text == text and tok.value is None

    def advance(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise self.fail(f"expected '{text}'")
        return self.advance()

    def fail(self, message: str) -> ParseFailure:
        tok = self.tok
        shown = "end of text" if tok.kind == "eof" else repr(tok.text)
        return ParseFailure(f"{message}, found {shown}", tok.pos)

    def done(self) -> None:
        if self.tok.kind != "eof":
            raise self.fail("unexpected text")

    # -- expressions -------------------------------------------------------------------
    def expression(self, min_bp: int = 0) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseFailure("expression nested too deeply", self.tok.pos)
        left = self.prefix()
        while True:
            left2 = self.infix(left, min_bp)
            if left2 is None:
                break
            left = left2
        self.depth -= 1
        return left

    def infix(self, left: Node, min_bp: int) -> Node | None:
        tok = self.tok
        text = tok.text if tok.kind in ("op", "name") and tok.value is None else None
        pos = tok.pos
        if text in ("or", "and") and _BP[text] > min_bp:
            self.advance()
            return Node(text, pos, None, (left, self.expression(_BP[text])))
        if text in ("+", "-", "*", "/", "**") and _BP[text] > min_bp:
            self.advance()
            return Node("arith", pos, text, (left, self.expression(_BP[text])))
        if min_bp < _CMP_BP:
            if text in _COMPARE:
                self.advance()
                return Node("cmp", pos, text, (left, self.expression(_CMP_BP)))
            if text == "between":
                self.advance()
                low = self.expression(_CMP_BP)
                self.expect("and")
                return Node("between", pos, None, (left, low, self.expression(_CMP_BP)))
            if text == "in":
                self.advance()
                return Node("in", pos, None, (left, self.in_tests()))
            if text == "instance" and self.peek().text == "of":
                self.i += 2
                return Node("instance", pos, self.type_spec(), (left,))
        if min_bp < _POSTFIX_BP:
            if text == ".":
                self.advance()
                member = self.advance()
                if member.kind not in ("name", "str"):
                    raise self.fail("expected a name after '.'")
                name = member.text if member.kind == "name" else str(member.value)
                if name.startswith("__"):
                    raise ParseFailure(f"names starting with '__' are not allowed: {name!r}", pos)
                name = self.join_name(name) if member.kind == "name" else name
                return Node("path", pos, name, (left,))
            if text == "[" and self.depth != self.range_end_depth:
                self.advance()
                condition = self.expression()
                self.expect("]")
                return Node("filter", pos, None, (left, condition))
            if text == "(":
                return self.call(left)
        return None

    def call(self, callee: Node) -> Node:
        pos = self.advance().pos
        args: list[Node] = []
        names: list[str] = []
        while not self.at(")"):
            if self.tok.kind == "name" and self._named_argument():
                name = self.join_name(self.advance().text)
                self.expect(":")
                names.append(name)
            args.append(self.expression())
            if not self.at(","):
                break
            self.advance()
        self.expect(")")
        if names and len(names) != len(args):
            raise ParseFailure("mixed named and positional arguments", pos)
        return Node("call", pos, tuple(names) if names else None, (callee, *args))

    def _named_argument(self) -> bool:
        j = self.i
        while self.tokens[j].kind == "name" and self.tokens[j].text not in _STOP:
            j += 1
        return self.tokens[j].kind == "op" and self.tokens[j].text == ":" and j > self.i

    def join_name(self, first: str) -> str:
        """Join following plain words into one name (``day of week``)."""
        parts = [first]
        while True:
            tok = self.tok
            word = tok.kind == "name" and tok.value is None and tok.text not in _STOP
            digits = tok.kind == "num" and tok.text.isdigit() and self.text[tok.pos - 1] == " "
            if not (word or digits):
                break
            parts.append(tok.text)
            self.advance()
        return " ".join(parts)

    def prefix(self) -> Node:
        tok = self.advance()
        pos = tok.pos
        kind, text = tok.kind, tok.text
        if kind == "num":
            return Node("lit", pos, tok.value)
        if kind == "str":
            return Node("lit", pos, tok.value)
        if kind == "op":
            return self.prefix_op(tok)
        if kind == "eof":
            raise ParseFailure("unexpected end of text", pos)
        if tok.value is not None:
            return Node("name", pos, text)
        if text == "null":
            return Node("lit", pos, None)
        if text in ("true", "false"):
            return Node("lit", pos, text == "true")
        if text == "if":
            cond = self.expression()
            self.expect("then")
            then = self.expression()
            self.expect("else")
            return Node("if", pos, None, (cond, then, self.expression()))
        if text in ("for", "some", "every"):
            return self.iteration(text, pos)
        if text == "function":
            return self.function(pos)
        if text in KEYWORDS - {"of"}:
            raise ParseFailure(f"unexpected '{text}'", pos)
        if text.startswith("__"):
            raise ParseFailure(f"names starting with '__' are not allowed: {text!r}", pos)
        return Node("name", pos, self.join_name(text))

    def prefix_op(self, tok: Token) -> Node:
        text, pos = tok.text, tok.pos
        if text == "-":
            return Node("neg", pos, None, (self.expression(_POSTFIX_BP - 1),))
        if text == "(" and self.tok.kind == "op" and self.tok.text in _COMPARE:
            op = self.advance().text
            bound = self.expression()
            self.expect(")")
            return Node("open_range", pos, op, (bound,))
        if text == "(":
            inner = self.expression()
            if self.at(".."):
                return self.range_rest(False, inner, pos)
            self.expect(")")
            return inner
        if text == "[":
            return self.bracket(pos)
        if text == "]":
            start = self.expression()
            return self.range_rest(False, start, pos)
        if text == "{":
            return self.context(pos)
        if text == "@":
            lit = self.advance()
            if lit.kind != "str":
                raise ParseFailure("expected a string after '@'", lit.pos)
            try:
                return Node("lit", pos, parse_temporal(str(lit.value)))
            except ValueError as exc:
                raise ParseFailure(str(exc), lit.pos) from None
        if text == "?":
            return Node("name", pos, "?")
        raise ParseFailure(f"unexpected '{text}'", pos)

    def bracket(self, pos: int) -> Node:
        if self.at("]"):
            self.advance()
            return Node("list", pos)
        first = self.expression()
        if self.at(".."):
            return self.range_rest(True, first, pos)
        items = [first]
        while self.at(","):
            self.advance()
            items.append(self.expression())
        self.expect("]")
        return Node("list", pos, None, tuple(items))

    def range_rest(self, start_closed: bool, start: Node, pos: int) -> Node:
        self.expect("..")
        outer = self.range_end_depth
        self.range_end_depth = self.depth + 1
        end = self.expression()
        self.range_end_depth = outer
        close = self.advance()
        if close.text not in ("]", ")", "["):
            raise ParseFailure("expected ']', ')' or '[' to close the range", close.pos)
        return Node("range", pos, (start_closed, close.text == "]"), (start, end))

    def context(self, pos: int) -> Node:
        keys: list[str] = []
        values: list[Node] = []
        while not self.at("}"):
            tok = self.advance()
            if tok.kind == "str":
                key = str(tok.value)
            elif tok.kind == "name":
                while not self.at(":") and self.tok.kind != "eof":
                    self.advance()
                key = " ".join(self.text[tok.pos : self.tok.pos].split())
            else:
                raise ParseFailure("expected a context key", tok.pos)
            self.expect(":")
            keys.append(key)
            values.append(self.expression())
            if not self.at(","):
                break
            self.advance()
        self.expect("}")
        return Node("context", pos, tuple(keys), tuple(values))

    def iteration(self, kind: str, pos: int) -> Node:
        names: list[str] = []
        domains: list[Node] = []
        while True:
            tok = self.advance()
            if tok.kind != "name":
                raise ParseFailure("expected a name", tok.pos)
            names.append(self.join_name(tok.text) if tok.value is None else tok.text)
            self.expect("in")
            domain = self.expression()
            if self.at(".."):
                self.advance()
                domain = Node("span", domain.pos, None, (domain, self.expression()))
            domains.append(domain)
            if not self.at(","):
                break
            self.advance()
        self.expect("return" if kind == "for" else "satisfies")
        body = self.expression()
        return Node(kind, pos, tuple(names), (*domains, body))

    def function(self, pos: int) -> Node:
        self.expect("(")
        params: list[str] = []
        specs: list[Any] = []
        while not self.at(")"):
            tok = self.advance()
            if tok.kind != "name":
                raise ParseFailure("expected a parameter name", tok.pos)
            params.append(self.join_name(tok.text) if tok.value is None else tok.text)
            spec = None
            if self.at(":"):
                self.advance()
                spec = self.type_spec()
            specs.append(spec)
            if not self.at(","):
                break
            self.advance()
        self.expect(")")
        if self.at("external"):  # the mapping, e.g. {java: {class: ..., method signature: ...}}
            self.advance()
            return Node("external", pos, tuple(params), (self.expression(),))
        body = self.expression()
        if any(s is not None for s in specs):  # parameter types ride along as a literal
            return Node("function", pos, tuple(params), (body, Node("lit", pos, tuple(specs))))
        return Node("function", pos, tuple(params), (body,))

    def type_spec(self) -> Any:
        tok = self.advance()
        if tok.kind != "name":
            raise ParseFailure("expected a type name", tok.pos)
        name = tok.text
        if tok.value is None and name not in ("function", "null"):
            name = self.join_name(name) if name not in ("date",) else name
            if name == "date" and self.at("and"):
                self.advance()
                self.expect("time")
                name = "date and time"
        if name in ("list", "range") and self.at("<"):
            self.advance()
            inner = self.type_spec()
            self.expect(">")
            return (name, inner)
        if name == "context" and self.at("<"):
            self.advance()
            fields = []
            while not self.at(">"):
                key = self.join_name(self.advance().text)
                self.expect(":")
                fields.append((key, self.type_spec()))
                if not self.at(","):
                    break
                self.advance()
            self.expect(">")
            return ("context", tuple(fields))
        if name == "function" and self.at("<"):
            self.advance()
            params = []
            while not self.at(">"):
                params.append(self.type_spec())
                if not self.at(","):
                    break
                self.advance()
            self.expect(">")
            self.expect("-")
            self.expect(">")
            return ("function", tuple(params), self.type_spec())
        return ("name", name)

    # -- unary tests ---------------------------------------------------------------------
    def in_tests(self) -> Node:
        pos = self.tok.pos
        if self.at("("):
            save = self.i
            self.advance()
            tests = [self.positive_test()]
            if self.at(".."):
                self.i = save
                return self.positive_test()
            while self.at(","):
                self.advance()
                tests.append(self.positive_test())
            self.expect(")")
            return tests[0] if len(tests) == 1 else Node("t_or", pos, None, tuple(tests))
        return self.positive_test()

    def positive_test(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.text in _COMPARE:
            self.advance()
            return Node("t_cmp", tok.pos, tok.text, (self.expression(_CMP_BP),))
        return Node("t_expr", tok.pos, None, (self.expression(_CMP_BP),))

    def unary_tests(self) -> Node:
        pos = self.tok.pos
        if self.at("-") and self.peek().kind == "eof":
            self.advance()
            return Node("t_any", pos)
        if self.at("not") and self.peek().text == "(":
            save = self.i
            self.i += 2
            try:
                inner = self.test_list()
                self.expect(")")
                if self.tok.kind == "eof":
                    return Node("t_not", pos, None, (inner,))
            except ParseFailure:
                pass
            self.i = save
        test = self.test_list()
        self.done()
        return test

    def test_list(self) -> Node:
        pos = self.tok.pos
        tests = [self.full_test()]
        while self.at(","):
            self.advance()
            tests.append(self.full_test())
        return tests[0] if len(tests) == 1 else Node("t_or", pos, None, tuple(tests))

    def full_test(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.text in _COMPARE:
            self.advance()
            return Node("t_cmp", tok.pos, tok.text, (self.expression(_CMP_BP),))
        return Node("t_expr", tok.pos, None, (self.expression(),))


def parse(text: str, names: tuple[str, ...] = ()) -> Node:
    parser = Parser(text, names)
    node = parser.expression()
    parser.done()
    return node


def parse_tests(text: str, names: tuple[str, ...] = ()) -> Node:
    return Parser(text, names).unary_tests()
