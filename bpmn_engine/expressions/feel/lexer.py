"""FEEL tokenizer.

Names may contain spaces (``day of week``) and, when they are known in the scope, other
characters too (``Pre-Bureau Risk``): the lexer matches the longest known name first,
then single words; the parser joins adjacent words into one name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..errors import ParseFailure
from ..limits import MAX_TEXT_LENGTH

KEYWORDS = frozenset(
    {
        "and", "or", "if", "then", "else", "for", "in", "return", "some", "every",
        "satisfies", "between", "instance", "of", "function", "null", "true", "false",
        "external",
    }
)  # fmt: skip
"""Words that end a name (``of`` only after ``instance``, see the parser)."""

BUILTIN_NAMES = (
    "date and time",
    "years and months duration",
    "days and time duration",
)
_OPERATORS = ("..", "<=", ">=", "!=", "**", "(", ")", "[", "]", "{", "}", ",", ":", ".")
_SINGLE = "+-*/<>=?@"
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_NAME_EXTRA = "_?'"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "str", "name", "op", "eof"
    text: str
    pos: int
    value: object = None


def _name_start(ch: str) -> bool:
    # DMN 1.5 NameStartChar includes the supplementary planes [#x10000-#xEFFFF] (emoji)
    return ch.isalpha() or ch in "_?" or 0x10000 <= ord(ch) <= 0xEFFFF


def _name_part(ch: str) -> bool:
    return ch.isalnum() or ch in _NAME_EXTRA or 0x10000 <= ord(ch) <= 0xEFFFF


def _skip_space(text: str, pos: int) -> int:
    size = len(text)
    while pos < size:
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif text.startswith("//", pos):
            end = text.find("\n", pos)
            pos = size if end < 0 else end
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                raise ParseFailure("unterminated comment", pos)
            pos = end + 2
        else:
            break
    return pos


def _hex_at(text: str, pos: int, count: int) -> bool:
    chunk = text[pos : pos + count]
    return len(chunk) == count and all(c in _HEX for c in chunk)


def _string(text: str, pos: int) -> tuple[str, int]:
    out: list[str] = []
    i = pos + 1
    size = len(text)
    while i < size:
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch == "\\" and i + 1 < size:
            nxt = text[i + 1]
            simple = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'"}
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            if nxt == "u" and _hex_at(text, i + 2, 4):
                code = int(text[i + 2 : i + 6], 16)
                i += 6
                if (
                    0xD800 <= code < 0xDC00
                    and text.startswith("\\u", i)
                    and _hex_at(text, i + 2, 4)
                ):
                    low = int(text[i + 2 : i + 6], 16)
                    if 0xDC00 <= low < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                out.append(chr(code))
                continue
            if nxt == "U" and _hex_at(text, i + 2, 6) and int(text[i + 2 : i + 8], 16) < 0x110000:
                out.append(chr(int(text[i + 2 : i + 8], 16)))
                i += 8
                continue
        out.append(ch)
        i += 1
    raise ParseFailure("unterminated string", pos)


def _number(text: str, pos: int) -> int:
    i = pos
    size = len(text)
    while i < size and text[i] in _DIGITS:
        i += 1
    if i < size - 1 and text[i] == "." and text[i + 1] in _DIGITS:
        i += 1
        while i < size and text[i] in _DIGITS:
            i += 1
    if i < size and text[i] in "eE":
        j = i + 1
        if j < size and text[j] in "+-":
            j += 1
        if j < size and text[j] in _DIGITS:
            i = j
            while i < size and text[i] in _DIGITS:
                i += 1
    return i


@lru_cache(maxsize=1024)
def _spaced(name: str) -> re.Pattern[str]:
    """``name`` with any run of white space (a line break too) between its words."""
    return re.compile(r"\s+".join(re.escape(word) for word in name.split(" ")))


def _known(text: str, pos: int, names: tuple[str, ...]) -> tuple[str, int] | None:
    """The known name at ``pos`` and where it ends (its words may be split by any white
    space, as in ``date and\n time``)."""
    first = text[pos : pos + 1]
    for name in names:
        end = pos + len(name)
        if not text.startswith(name, pos):
            if " " not in name or not name.startswith(first):
                continue
            match = _spaced(name).match(text, pos)
            if match is None:
                continue
            end = match.end()
        if end >= len(text) or not _name_part(text[end]):
            return name, end
    return None


def tokenize(text: str, names: tuple[str, ...] = ()) -> list[Token]:
    """Tokens of ``text``; ``names`` are multi-word or unusual names known in scope
    (longest first)."""
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseFailure(f"text longer than {MAX_TEXT_LENGTH} characters", 0)
    tokens: list[Token] = []
    pos = _skip_space(text, 0)
    size = len(text)
    while pos < size:
        ch = text[pos]
        if ch == '"':
            value, end = _string(text, pos)
            tokens.append(Token("str", text[pos:end], pos, value))
        elif ch in _DIGITS or (ch == "." and pos + 1 < size and text[pos + 1] in _DIGITS):
            end = _number(text, pos)
            tokens.append(Token("num", text[pos:end], pos, Decimal(text[pos:end])))
        elif ch == "`":
            end = text.find("`", pos + 1)
            if end < 0:
                raise ParseFailure("unterminated quoted name", pos)
            tokens.append(Token("name", text[pos + 1 : end], pos, "quoted"))
            end += 1
        elif _name_start(ch) or (names and _known(text, pos, names)):
            known = _known(text, pos, names) if names else None
            if known is not None:
                name, end = known
                tokens.append(Token("name", name, pos, "known"))
            else:
                end = pos + 1
                while end < size and _name_part(text[end]):
                    end += 1
                tokens.append(Token("name", text[pos:end], pos))
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, pos)), None)
            if op is None and ch in _SINGLE:
                op = ch
            if op is None:
                raise ParseFailure(f"unexpected character {ch!r}", pos)
            end = pos + len(op)
            tokens.append(Token("op", op, pos))
        pos = _skip_space(text, end)
    tokens.append(Token("eof", "", size))
    return tokens
