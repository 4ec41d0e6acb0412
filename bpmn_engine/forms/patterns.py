"""Form patterns (form-js ``validate.pattern``, ``camunda:constraint name="pattern"``) run
on RE2, which matches in time linear in the text: no pattern can backtrack
catastrophically. RE2 refuses what needs backtracking (backreferences, lookaround);
such a pattern is reported as unsupported when the form is read, not at submit time.
Matching follows JavaScript's ``RegExp.test``: the pattern may match anywhere unless it
anchors itself."""

from __future__ import annotations

import functools
from typing import Any

from bpmn_engine.errors import FormSchemaError

MAX_PATTERN_LENGTH = 1_000
"""Longest pattern a form may carry."""
MAX_PATTERN_MEMORY = 1 << 20
"""Memory (bytes) RE2 may use for one compiled pattern."""


@functools.lru_cache(maxsize=256)
def compiled(pattern: str) -> Any:
    """The compiled RE2 pattern; ``FormSchemaError`` if it is too long or unsupported."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise FormSchemaError(
            f"Expected a pattern of at most {MAX_PATTERN_LENGTH} characters, but got {len(pattern)}"
        )
    # imported here: only forms that carry a pattern need the RE2 extension
    import re2

    options = re2.Options()
    options.max_mem = MAX_PATTERN_MEMORY
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        raise FormSchemaError(
            f"Expected a pattern without backreferences or lookaround, but {pattern!r} "
            f"cannot be used: {exc}"
        ) from None


def matches(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (JavaScript ``test`` semantics)."""
    return compiled(pattern).search(text) is not None
