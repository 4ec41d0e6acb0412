"""Parse benchmark: Procession's ``parse_bpmn`` vs SpiffWorkflow's ``BpmnParser``.

Both parse the same corpus files (``expected_parse: ok``) N times in the same run; Spiff
builds the spec of every executable process (``get_spec``), with ``CamundaParser`` for
Camunda-flavoured files. Files Spiff refuses are counted as "unsupported" and left out of
both timings, so the ratio compares the same work. Writes ``bench/results/parse.json``.

    .venv/bin/python bench/bench_parse.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bpmn_engine.bpmn import parse_bpmn  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bpmn-corpus"
RESULTS = ROOT / "bench" / "results" / "parse.json"
CAMUNDA_NS = b"http://camunda.org/schema/1.0/bpmn"


def corpus_files() -> list[tuple[str, bytes]]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return [
        (e["path"], (CORPUS / e["path"]).read_bytes())
        for e in manifest
        if e["kind"] == "bpmn" and e["expected_parse"] == "ok"
    ]


def spiff_parse(name: str, data: bytes) -> int:
    """Parse with SpiffWorkflow and build every executable process spec; returns specs."""
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.camunda.parser import CamundaParser

    parser = CamundaParser() if CAMUNDA_NS in data else BpmnParser()
    parser.add_bpmn_str(data, filename=name)
    ids = parser.get_process_ids()
    for process_id in ids:
        parser.get_spec(process_id)
    return len(ids)


def procession_parse(name: str, data: bytes) -> int:
    return len(parse_bpmn(data).executable_processes())


def spiff_supported(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], dict]:
    supported, unsupported = [], {}
    for name, data in files:
        try:
            spiff_parse(name, data)
        except Exception as exc:  # Spiff refuses many non-executable/vendor files
            unsupported[name] = f"{type(exc).__name__}: {str(exc)[:120]}"
        else:
            supported.append((name, data))
    return supported, unsupported


def timed(parse: Any, files: list[tuple[str, bytes]], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for name, data in files:
            parse(name, data)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (best is kept)")
    args = parser.parse_args()
    files = corpus_files()
    supported, unsupported = spiff_supported(files)
    procession_all = timed(procession_parse, files, args.repeat)
    procession = timed(procession_parse, supported, args.repeat)
    spiff = timed(spiff_parse, supported, args.repeat)
    summary = {
        "files_total": len(files),
        "files_compared": len(supported),
        "spiff_unsupported": len(unsupported),
        "repeat": args.repeat,
        "procession_all_files_per_s": round(len(files) / procession_all, 1),
        "procession_files_per_s": round(len(supported) / procession, 1),
        "spiff_files_per_s": round(len(supported) / spiff, 1),
        "ratio_procession_over_spiff": round(spiff / procession, 2),
        "bytes_compared": sum(len(d) for _, d in supported),
        "python": platform.python_version(),
        "unsupported_files": unsupported,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(
        f"corpus files (expected_parse ok): {len(files)}; compared: {len(supported)}; "
        f"Spiff unsupported: {len(unsupported)}"
    )
    print(f"Procession (all {len(files)} files): {summary['procession_all_files_per_s']} files/s")
    print(f"Procession: {summary['procession_files_per_s']} files/s")
    print(f"SpiffWorkflow: {summary['spiff_files_per_s']} files/s")
    print(f"ratio (Procession / Spiff): {summary['ratio_procession_over_spiff']}x")
    print(f"summary written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
