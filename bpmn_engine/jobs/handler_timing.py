"""How long each job type's handler has been taking in this process: a moving average,
so a worker takes jobs along in a batch only for types that run quickly here."""

from __future__ import annotations

import threading
from collections.abc import Iterable

#: Weight of the newest run in the moving average.
WEIGHT = 0.2

_lock = threading.Lock()
_average: dict[str, float] = {}


def observe(job_type: str, seconds: float) -> None:
    """Note one run of ``job_type``'s handler that took ``seconds``."""
    with _lock:
        before = _average.get(job_type)
        _average[job_type] = seconds if before is None else before + WEIGHT * (seconds - before)


def average_seconds(job_type: str) -> float | None:
    """The moving average of ``job_type``'s handler runs here; None before the first."""
    return _average.get(job_type)


def quick_types(job_types: Iterable[str], limit: float) -> list[str]:
    """Those of ``job_types`` whose handlers have averaged at most ``limit`` seconds here
    (a type not run here yet is not counted as quick)."""
    return [t for t in job_types if (seconds := _average.get(t)) is not None and seconds <= limit]


def forget() -> None:
    """Drop every average (tests; a worker starts with none)."""
    with _lock:
        _average.clear()
