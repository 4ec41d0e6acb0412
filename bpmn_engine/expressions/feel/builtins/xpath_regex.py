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
        return re.compile(re.escape(pattern), value)
    translated = pattern.replace("\\p{L}", "[^\\W\\d_]").replace("\\p{Lu}", "[A-Z]")
    if "(?" in pattern:
        raise ValueError("groups with '(?' are not XPath regular expressions")
    try:
        return re.compile(translated, value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
