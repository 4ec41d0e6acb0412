"""Where the project's shared reference data lives: the ``shared/`` folder beside the
repository (override with ``PROCESSION_SHARED_DIR``)."""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("PROCESSION_SHARED_DIR", REPOSITORY.parent / "shared"))
CORPUS_DIR = SHARED_DIR / "bpmn-corpus"
BENCH_DIAGRAMS_DIR = SHARED_DIR / "bench-diagrams"


def require(path: Path, what: str) -> None:
    """Call at module level of a test module that needs ``path``: without it the module is
    skipped with a notice, but under ``CI=true`` its absence fails the run."""
    import pytest

    if path.exists():
        return
    message = f"{what} not found at {path} (set PROCESSION_SHARED_DIR)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message, allow_module_level=True)
