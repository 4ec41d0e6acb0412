"""XML Schema / XPath regular expressions (FEEL ``matches``, ``replace``, ``split``)
translated to Python's ``re`` with a bounded pattern size."""

from __future__ import annotations

import re
from functools import lru_cache

_MAX_PATTERN = 1_000
_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


@lru_cache(maxsize=256)
def compile_regex(pattern: str, flags: str) -> re.Pattern[str]:
    if len(pattern) > _MAX_PATTERN:
        raise ValueError("pattern too long")
    value = 0
    literal = False
    for flag in flags:
        if flag == "q":
            literal = True
        elif flag in _FLAGS:
            value |= _FLAGS[flag]
        else:
            raise ValueError(f"unknown regular expression flag {flag!r}")
    if literal:
        return re.compile(re.escape(pattern), value & ~re.VERBOSE)
    if "(?" in pattern:
        raise ValueError("groups with '(?' are not XPath regular expressions")
    if value & re.VERBOSE:  # XPath "x": drop white space outside classes (no comments)
        pattern, value = _strip_space(pattern), value & ~re.VERBOSE
    translated = _translate(pattern, dot_all=bool(value & re.DOTALL))
    try:
        return re.compile(translated, value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None


_SUBTRACTION = re.compile(r"\[([^\[\]]*)-\[([^\[\]]*)\]\]")
_BLOCKS = {"IsBasicLatin": "\\x00-\\x7F"}


def _strip_space(pattern: str) -> str:
    """White space goes even after a backslash (``hello\\ sworld`` is ``hello\\sworld``)."""
    out: list[str] = []
    depth, escaped = 0, False
    for ch in pattern:
        if ch in " \t\n\r" and not depth:
            continue
        if not escaped:
            depth += (ch == "[") - (ch == "]" and depth > 0)
        escaped = ch == "\\" and not escaped
        out.append(ch)
    return "".join(out)


def _translate(pattern: str, *, dot_all: bool) -> str:
    """XPath specifics: ``.`` excludes ``\\r`` too, class subtraction ``[a-z-[aeiou]]``,
    ``\\p{IsBasicLatin}``, ``\\p{L}``, ``\\p{Lu}``; a back-reference in a class is an
    error."""
    pattern = _SUBTRACTION.sub(lambda m: f"(?:(?![{m[2]}])[{m[1]}])", pattern)
    out, in_class, i = [], False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if in_class and nxt.isdigit():
                raise ValueError("a back-reference inside a character class")
            if nxt == "p" and pattern.startswith("{", i + 2):
                end = pattern.find("}", i)
                name = pattern[i + 3 : end] if end > 0 else ""
                if name in _BLOCKS:
                    block = _BLOCKS[name]
                    out.append(block if in_class else f"[{block}]")
                    i = end + 1
                    continue
                if name == "L" and not in_class:
                    out.append("[^\\W\\d_]")
                    i = end + 1
                    continue
                if name == "Lu":
                    out.append("A-Z" if in_class else "[A-Z]")
                    i = end + 1
                    continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        elif ch == "." and not in_class and not dot_all:
            out.append("[^\\n\\r]")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)
