"""Where the project's shared reference data lives: the ``shared/`` folder beside the
repository (override with ``PROCESSION_SHARED_DIR``)."""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("PROCESSION_SHARED_DIR", REPOSITORY.parent / "shared"))
CORPUS_DIR = SHARED_DIR / "bpmn-corpus"
BENCH_DIAGRAMS_DIR = SHARED_DIR / "bench-diagrams"
