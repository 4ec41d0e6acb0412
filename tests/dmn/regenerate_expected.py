"""Rewrite ``tck_expected_failures.json`` from a fresh run of the TCK.

Run with ``python -m tests.dmn.regenerate_expected``; each failing case gets its folder's
reason (:data:`FOLDER_REASONS`) and the observed mismatch.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.dmn.tck import all_cases
from tests.dmn.test_tck import test_tck_case_gives_the_expected_results

FOLDER_REASONS: dict[str, str] = {}


def main() -> None:
    failures: dict[str, str] = {}
    for case in all_cases():
        try:
            test_tck_case_gives_the_expected_results(case)
        except AssertionError as exc:
            message = str(exc).splitlines()[0][:160]
            reason = FOLDER_REASONS.get(case.folder)
            failures[case.key] = f"{reason}: {message}" if reason else message
    target = Path(__file__).with_name("tck_expected_failures.json")
    target.write_text(json.dumps(failures, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"{len(failures)} expected failures written")


if __name__ == "__main__":
    main()
