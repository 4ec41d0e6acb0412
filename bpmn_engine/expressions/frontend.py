"""Dialect detection and source-to-tree parsing (including JUEL composite templates)."""

from __future__ import annotations

from .errors import ParseFailure
from .limits import MAX_TEXT_LENGTH
from .nodes import Node
from .parser import Parser
from .tokens import tokenize

DIALECTS = ("plain", "juel", "feel")
_OPENERS = ("${", "#{")


def has_juel(text: str) -> bool:
    """True if ``text`` contains a ``${`` or ``#{`` opener (unclosed ones are syntax errors)."""
    return "${" in text or "#{" in text


def detect_dialect(text: str) -> str:
    """``feel`` for a leading ``=``, ``juel`` for ``${..}``/``#{..}`` parts, else ``plain``."""
    if text.lstrip().startswith("="):
        return "feel"
    if has_juel(text):
        return "juel"
    return "plain"


def check_length(text: str) -> None:
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseFailure(
            f"text is {len(text)} characters long; the limit is {MAX_TEXT_LENGTH}", 0
        )


def feel_start(text: str) -> int:
    """Offset just after an optional leading ``=`` of FEEL text."""
    stripped = len(text) - len(text.lstrip())
    return stripped + 1 if text.startswith("=", stripped) else 0


def parse_expression(text: str, dialect: str) -> Node:
    """Parse expression ``text`` of ``dialect`` (already resolved) into a tree."""
    check_length(text)
    if dialect == "juel" and has_juel(text):
        return _parse_template(text)
    start = feel_start(text) if dialect == "feel" else 0
    tokens, _ = tokenize(text, dialect, start)
    return Parser(text, tokens, dialect).parse_all()


def _next_opener(text: str, pos: int) -> int:
    found = [i for i in (text.find(o, pos) for o in _OPENERS) if i >= 0]
    return min(found) if found else -1


def _parse_template(text: str) -> Node:
    """A lone ``${expr}`` (blank text around it) yields its value; anything else is a
    template concatenating text and expression parts as strings."""
    parts: list[tuple[bool, Node]] = []  # (is_text, node)
    literal: list[str] = []
    literal_pos, pos = 0, 0
    while True:
        start = _next_opener(text, pos)
        if start < 0:
            literal.append(text[pos:])
            break
        if start > 0 and text[start - 1] == "\\":
            literal.append(text[pos : start - 1] + text[start : start + 2])
            pos = start + 2
            continue
        literal.append(text[pos:start])
        if "".join(literal):
            parts.append((True, Node("lit", literal_pos, "".join(literal))))
        literal = []
        tokens, pos = tokenize(text, "juel", start + 2, in_braces=True)
        parts.append((False, Parser(text, tokens, "juel").parse_all()))
        literal_pos = pos
    if "".join(literal):
        parts.append((True, Node("lit", literal_pos, "".join(literal))))
    expressions = [node for is_text, node in parts if not is_text]
    blank = all(not str(node.value).strip() for is_text, node in parts if is_text)
    if len(expressions) == 1 and blank:
        return expressions[0]
    return Node("template", 0, None, tuple(node for _, node in parts))
