"""TCK cases this engine does not pass yet, each with the reason (see docs/dmn.md).

The list lives in ``tck_expected_failures.json``; regenerate it with
``python -m tests.dmn.regenerate_expected`` after a fix.
"""

from __future__ import annotations

import json
from pathlib import Path

EXPECTED_FAILURES: dict[str, str] = json.loads(
    Path(__file__).with_name("tck_expected_failures.json").read_text()
)
