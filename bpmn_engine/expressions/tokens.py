"""Tokenizer shared by the three dialects (plain, JUEL, FEEL).

Tokens are ``(kind, value, position)`` tuples with ``kind`` one of ``num``, ``str``,
``name``, ``kw`` (dialect keyword), ``op``, ``nl`` (statement separator, scripts only)
and ``end``. Positions are offsets into the full source text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .errors import ParseFailure


class Token(NamedTuple):
    """One lexical token."""

    kind: str
    value: object
    pos: int


_PYTHON_FORBIDDEN = frozenset(
    (
        "lambda",
        "def",
        "class",
        "import",
        "from",
        "for",
        "while",
        "with",
        "yield",
        "await",
        "async",
        "global",
        "nonlocal",
        "del",
        "try",
        "except",
        "finally",
        "raise",
        "return",
        "pass",
        "assert",
        "exec",
        "print",
        "match",
        "case",
        "break",
        "continue",
        "elif",
    )
)

KEYWORDS: dict[str, frozenset[str]] = {
    "plain": frozenset(
        (
            "and",
            "or",
            "not",
            "in",
            "is",
            "if",
            "else",
            "True",
            "False",
            "None",
            "true",
            "false",
            "null",
        )
    )
    | _PYTHON_FORBIDDEN,
    "juel": frozenset(
        (
            "and",
            "or",
            "not",
            "eq",
            "ne",
            "lt",
            "gt",
            "le",
            "ge",
            "div",
            "mod",
            "empty",
            "true",
            "false",
            "null",
            "instanceof",
        )
    ),
    "feel": frozenset(
        (
            "and",
            "or",
            "not",
            "if",
            "then",
            "else",
            "in",
            "between",
            "true",
            "false",
            "null",
            "for",
            "some",
            "every",
            "satisfies",
            "return",
            "instance",
            "of",
            "function",
        )
    ),
}

FORBIDDEN_KEYWORDS = _PYTHON_FORBIDDEN | {"instanceof", "for", "some", "every", "function"}

FEEL_MULTIWORD = (
    "string length",
    "upper case",
    "lower case",
    "starts with",
    "ends with",
    "list contains",
    "is defined",
    "date and time",
    "round up",
    "round down",
    "round half up",
    "round half down",
    "substring before",
    "substring after",
    "get value",
    "index of",
    "distinct values",
)
_FEEL_MULTI_RE = re.compile(
    "("
    + "|".join(
        r"\s+".join(re.escape(w) for w in name.split())
        for name in sorted(FEEL_MULTIWORD, key=len, reverse=True)
    )
    + r")(?=\s*\()"
)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+|\\\n)
    |(?P<nl>\n)
    |(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<name>[^\W\d]\w*)
    |(?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<op>\*\*|//|==|!=|<=|>=|&&|\|\||\.\.|\+=|-=|\*=|/=|:=|[-+*/%<>=!?:.,()\[\]{};@])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "$": "$"}
_OPENERS = "([{"
_CLOSERS = ")]}"


def unescape(body: str) -> str:
    """Decode backslash escapes in a string literal body."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _number(text: str, pos: int) -> int | float:
    if "." in text or "e" in text or "E" in text:
        return float(text)
    if len(text) > 1000:
        raise ParseFailure("number literal is too long", pos)
    return int(text)


def _token(
    kind: str, text: str, pos: int, keywords: frozenset[str], stack: list[str], statements: bool
) -> Token | None:
    """Token for one regex match (``None`` for whitespace); tracks bracket nesting."""
    if kind == "ws":
        return None
    if kind == "nl":
        return Token("nl", "\n", pos) if statements and not stack else None
    if kind == "num":
        return Token("num", _number(text, pos), pos)
    if kind == "name":
        return Token("kw" if text in keywords else "name", text, pos)
    if kind == "str":
        return Token("str", unescape(text[1:-1]), pos)
    if text in _OPENERS:
        stack.append(text)
    elif text in _CLOSERS:
        stack.pop()
    return Token("op", text, pos)


def tokenize(
    source: str,
    dialect: str,
    start: int = 0,
    *,
    in_braces: bool = False,
    statements: bool = False,
) -> tuple[list[Token], int]:
    """Split ``source[start:]`` into tokens.

    With ``in_braces`` tokenizing stops at the ``}`` closing a JUEL ``${`` (returned
    position is just after it). With ``statements`` top-level newlines become ``nl``.
    """
    keywords = KEYWORDS[dialect]
    tokens: list[Token] = []
    stack: list[str] = []
    pos, end = start, len(source)
    while pos < end:
        ch = source[pos]
        if dialect == "feel" and ch.isalpha():
            multi = _FEEL_MULTI_RE.match(source, pos)
            if multi:
                tokens.append(Token("name", " ".join(multi.group(1).split()), pos))
                pos = multi.end()
                continue
        if ch == "#" and dialect == "plain":
            nl = source.find("\n", pos)
            pos = end if nl < 0 else nl
            continue
        m = _TOKEN_RE.match(source, pos)
        if m is None:
            if ch in "'\"":
                raise ParseFailure("unterminated string literal", pos)
            raise ParseFailure(f"unexpected character {ch!r}", pos)
        kind, text = m.lastgroup, m.group()
        if kind == "op" and text in _CLOSERS and not stack:
            if in_braces and text == "}":
                tokens.append(Token("end", None, pos))
                return tokens, pos + 1
            raise ParseFailure(f"unmatched {text!r}", pos)
        token = _token(str(kind), text, pos, keywords, stack, statements)
        if token is not None:
            tokens.append(token)
        pos = m.end()
    if in_braces:
        raise ParseFailure("missing '}' to close the expression", start)
    tokens.append(Token("end", None, end))
    return tokens, end
