"""Run ``bench/bench_expressions.py`` unchanged and store its figures as JSON.

The evaluator benchmark prints ``<microseconds> us  <case>`` lines; this keeps that output
on the terminal and writes ``bench/results/expressions.json``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import support


def main() -> None:
    # bench_expressions.py imports bpmn_engine without putting the project on sys.path
    path = os.pathsep.join(filter(None, [str(support.ROOT), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, str(support.ROOT / "bench" / "bench_expressions.py")],
        cwd=support.ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    print(done.stdout, end="")
    cases = [
        {"case": match.group(2), "us_per_call": float(match.group(1))}
        for match in re.finditer(r"^\s*([\d.]+) us\s+(.+)$", done.stdout, flags=re.M)
    ]
    path = support.write_result(
        "expressions", {"unit": "microseconds per call (best of 5)", "cases": cases}
    )
    print(f"wrote {path.relative_to(support.ROOT)}")


if __name__ == "__main__":
    main()
