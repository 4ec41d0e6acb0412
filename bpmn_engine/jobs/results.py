"""What a handler may return: a dict of JSON values (or one value for ``resultVariable``)
that both databases store and give back unchanged (the size limit is
``services.limits.check_handler_result_size``).

Checked before the result is reported, so an unstorable result is a failure reported at
once (retried, then an incident) instead of a report that dies and leaves the job to its
lease. To be replaced by the engine-wide variable validator once there is one.
"""

from __future__ import annotations

import math
from typing import Any

MAX_DEPTH = 64
MAX_INT = 2**63 - 1


class UnstorableResultError(ValueError):
    """A handler result that cannot be stored as process variables."""


def result_variables(result: Any, result_variable: str) -> dict[str, Any]:
    """The variables a handler's ``result`` sets; raises ``UnstorableResultError``."""
    if result_variable:
        variables = {result_variable: result}
    elif result is None:
        return {}
    elif isinstance(result, dict):
        variables = result
    else:
        raise UnstorableResultError(
            f"Expected the handler to return a dict or None, but got {type(result).__name__}"
        )
    for name, value in variables.items():
        if not isinstance(name, str) or not name:
            raise UnstorableResultError(f"Expected variable names as text, but got {name!r}")
        _check(value, f"'{name}'", 0)
    return variables


def _check(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise UnstorableResultError(f"Expected {path} nested at most {MAX_DEPTH} deep")
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -MAX_INT - 1 <= value <= MAX_INT:
            raise UnstorableResultError(f"Expected {path} to fit in 64 bits, but it does not")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise UnstorableResultError(f"Expected {path} to be a finite number, not {value}")
    elif isinstance(value, str):
        _check_text(value, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnstorableResultError(f"Expected text keys in {path}, but got {key!r}")
            _check_text(key, path)
            _check(item, f"{path}.{key}", depth + 1)
    else:
        raise UnstorableResultError(
            f"Expected {path} to be a JSON value, but it is a {type(value).__name__}"
        )


def _check_text(text: str, path: str) -> None:
    if "\x00" in text:
        raise UnstorableResultError(f"Expected {path} without NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnstorableResultError(f"Expected {path} to be valid Unicode text") from None
