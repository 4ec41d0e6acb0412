"""Per-step cost of Procession's pure runtime vs SpiffWorkflow 3.2.0, same run, same diagrams.

Usage: ``.venv/bin/python bench/bench_runtime.py [--quick] [--spiff-seq10000]``

For each diagram of ``shared/bench-diagrams`` (beside the repo), generated ``seq10000``, ``mi100``
(a 100-instance parallel multi-instance script task) and ``saga10`` (10 script tasks with
compensation handlers, then a compensation end event; Spiff has no compensation): parse
once (outside the timing), then time instance creation + start -> end (the approval
diagram's user task is completed with ``approved=True``), median of several repetitions,
reported as microseconds per BPMN step (steps as in the diagrams' README). Procession is
measured with and without history effects. Writes ``bench/results/runtime.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bpmn_engine.bpmn import ParserLimits, parse_bpmn  # noqa: E402
from bpmn_engine.runtime import (  # noqa: E402
    CompleteUserTask,
    StartInstance,
    advance,
    new_instance,
)

DIAGRAMS = Path(__file__).resolve().parents[2] / "shared" / "bench-diagrams"
RESULTS = ROOT / "bench" / "results" / "runtime.json"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
CASES = [
    ("seq10", 12),
    ("seq100", 102),
    ("seq1000", 1002),
    ("seq10000", 10002),
    ("parallel10", 14),
    ("parallel50", 54),
    ("parallel200", 204),
    ("loop10", 22),
    ("loop100", 202),
    ("loop1000", 2002),
    ("approval", 5),
    ("mi100", 103),
    ("saga10", 22),
]
UNSUPPORTED_BY_SPIFF = {
    "saga10": "unsupported: SpiffWorkflow 3.2.0 has no compensation events or handlers",
}
BPMN_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'id="Definitions_{name}" targetNamespace="http://example.org/bpmn-bench">'
    '<bpmn:process id="{name}" isExecutable="true">'
)


def seq_xml(n: int) -> str:
    """A start event, ``n`` script tasks ``counter = counter + 1`` in sequence, an end event."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'id="Definitions_seq{n}" targetNamespace="http://example.org/bpmn-bench">',
        f'<bpmn:process id="seq{n}" isExecutable="true">',
        '<bpmn:startEvent id="StartEvent"><bpmn:outgoing>F0</bpmn:outgoing></bpmn:startEvent>',
    ]
    for i in range(1, n + 1):
        parts.append(
            f'<bpmn:scriptTask id="T{i}"><bpmn:incoming>F{i - 1}</bpmn:incoming>'
            f"<bpmn:outgoing>F{i}</bpmn:outgoing>"
            "<bpmn:script>counter = counter + 1</bpmn:script></bpmn:scriptTask>"
        )
    parts.append(
        f'<bpmn:endEvent id="EndEvent"><bpmn:incoming>F{n}</bpmn:incoming></bpmn:endEvent>'
    )
    previous = "StartEvent"
    for i in range(1, n + 1):
        parts.append(f'<bpmn:sequenceFlow id="F{i - 1}" sourceRef="{previous}" targetRef="T{i}" />')
        previous = f"T{i}"
    parts.append(f'<bpmn:sequenceFlow id="F{n}" sourceRef="{previous}" targetRef="EndEvent" />')
    parts.append("</bpmn:process></bpmn:definitions>")
    return "\n".join(parts)


def mi_xml(n: int) -> str:
    """A start event, one script task run as ``n`` parallel multi-instance instances, an end."""
    return (
        BPMN_HEAD.format(name=f"mi{n}")
        + '<bpmn:startEvent id="StartEvent"/><bpmn:scriptTask id="Each">'
        "<bpmn:multiInstanceLoopCharacteristics>"
        f"<bpmn:loopCardinality>{n}</bpmn:loopCardinality>"
        "</bpmn:multiInstanceLoopCharacteristics>"
        "<bpmn:script>counter = counter + 1</bpmn:script></bpmn:scriptTask>"
        '<bpmn:endEvent id="EndEvent"/>'
        '<bpmn:sequenceFlow id="F0" sourceRef="StartEvent" targetRef="Each"/>'
        '<bpmn:sequenceFlow id="F1" sourceRef="Each" targetRef="EndEvent"/>'
        "</bpmn:process></bpmn:definitions>"
    )


def saga_xml(n: int) -> str:
    """``n`` script tasks each with a compensation handler (script), then a compensation end
    event: the handlers run in reverse order (2n + 2 steps)."""
    parts = [BPMN_HEAD.format(name=f"saga{n}"), '<bpmn:startEvent id="StartEvent"/>']
    previous = "StartEvent"
    for i in range(1, n + 1):
        parts.append(
            f'<bpmn:scriptTask id="Do{i}"><bpmn:script>counter = counter + 1</bpmn:script>'
            f'</bpmn:scriptTask><bpmn:boundaryEvent id="Comp{i}" attachedToRef="Do{i}">'
            "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>"
            f'<bpmn:scriptTask id="Undo{i}" isForCompensation="true">'
            "<bpmn:script>counter = counter - 1</bpmn:script></bpmn:scriptTask>"
            f'<bpmn:association id="A{i}" sourceRef="Comp{i}" targetRef="Undo{i}"/>'
            f'<bpmn:sequenceFlow id="F{i}" sourceRef="{previous}" targetRef="Do{i}"/>'
        )
        previous = f"Do{i}"
    parts.append(
        '<bpmn:endEvent id="EndEvent"><bpmn:compensateEventDefinition/></bpmn:endEvent>'
        f'<bpmn:sequenceFlow id="F{n + 1}" sourceRef="{previous}" targetRef="EndEvent"/>'
        "</bpmn:process></bpmn:definitions>"
    )
    return "".join(parts)


def source(name: str) -> str:
    if name == "seq10000":
        return seq_xml(10_000)
    if name.startswith("mi"):
        return mi_xml(int(name[2:]))
    if name.startswith("saga"):
        return saga_xml(int(name[4:]))
    return (DIAGRAMS / f"{name}.bpmn").read_text()


def median_time(run: Any, repetitions: int, min_sample: float = 0.05) -> float:
    """Median seconds per run; small runs are batched so a sample lasts ``min_sample``."""
    run()  # warm-up: per-process tables, compiled expressions, imports
    started = time.perf_counter()
    run()
    once = time.perf_counter() - started
    inner = max(1, int(min_sample / max(once, 1e-7)))
    times = []
    for _ in range(repetitions):
        gc.collect()
        started = time.perf_counter()
        for _ in range(inner):
            run()
        times.append((time.perf_counter() - started) / inner)
    return statistics.median(times)


# --------------------------------------------------------------------------- Procession


def procession_runner(name: str, history: bool) -> Any:
    definitions = parse_bpmn(source(name), limits=ParserLimits(max_bytes=50 * 1024 * 1024))
    process = definitions.processes[name]

    def run() -> None:
        state = new_instance(process, instance_id="bench")
        advance(
            process,
            state,
            StartInstance({"counter": 0}),
            NOW,
            definitions=definitions,
            record_history=history,
        )
        if state.status == "active":  # approval: complete the review
            wait_id = next(iter(state.waits))
            advance(
                process,
                state,
                CompleteUserTask(wait_id, {"approved": True}),
                NOW,
                definitions=definitions,
                record_history=history,
            )
        assert state.status == "completed", (name, state.status)

    return run


# --------------------------------------------------------------------------- SpiffWorkflow


def spiff_runner(name: str) -> Any:
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskIterator, TaskState

    # Spiff stops iterating silently after 1,000 levels of its task tree (``max_depth``,
    # the second default of both iterators' __init__): lift the limit.
    for iterator in (TaskIterator, BpmnTaskIterator):
        defaults = list(iterator.__init__.__defaults__ or ())
        defaults[1] = 10**9
        iterator.__init__.__defaults__ = tuple(defaults)
    parser = BpmnParser()
    path = ROOT / "bench" / "results" / f".{name}.bpmn"
    path.write_text(source(name))
    try:
        parser.add_bpmn_file(str(path))
    finally:
        path.unlink()
    spec = parser.get_spec(name)

    def run() -> None:
        workflow = BpmnWorkflow(spec)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data["counter"] = 0
        workflow.do_engine_steps()
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            task.data["approved"] = True
            task.run()
            workflow.do_engine_steps()
        assert workflow.is_completed(), name

    return run


# --------------------------------------------------------------------------- main


def measure(quick: bool, spiff_seq10000: bool) -> list[dict[str, Any]]:
    rows = []
    for name, steps in CASES:
        ours_reps = 3 if quick else (5 if steps > 2000 else 9)
        ours = median_time(procession_runner(name, True), ours_reps) / steps * 1e6
        bare = median_time(procession_runner(name, False), ours_reps) / steps * 1e6
        row: dict[str, Any] = {
            "diagram": name,
            "steps": steps,
            "procession_us_per_step": round(ours, 2),
            "procession_no_history_us_per_step": round(bare, 2),
        }
        if name in UNSUPPORTED_BY_SPIFF:
            row.update(spiff_us_per_step=None, ratio=None, spiff_note=UNSUPPORTED_BY_SPIFF[name])
        elif name == "seq10000" and not spiff_seq10000:
            row.update(
                spiff_us_per_step=None,
                ratio=None,
                spiff_note="skipped: cost per step grows with instance size "
                "(~3,400 us/step at seq1000), too slow to run here",
            )
        else:
            spiff_reps = 1 if quick or steps > 2000 else (3 if steps > 200 else 5)
            spiff = median_time(spiff_runner(name), spiff_reps) / steps * 1e6
            row.update(spiff_us_per_step=round(spiff, 1), ratio=round(spiff / ours, 1))
        rows.append(row)
        print_row(row)
    return rows


def print_row(row: dict[str, Any]) -> None:
    spiff = row["spiff_us_per_step"]
    missing = "unsupported" if "unsupported" in row.get("spiff_note", "") else "skipped"
    spiff_text = f"{spiff:>12.1f}" if spiff is not None else f"{missing:>12}"
    ratio = f"{row['ratio']:>7.1f}x" if row["ratio"] is not None else f"{'-':>8}"
    print(
        f"{row['diagram']:<12}{row['steps']:>7}{row['procession_us_per_step']:>12.2f}"
        f"{row['procession_no_history_us_per_step']:>12.2f}{spiff_text}{ratio}",
        flush=True,
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--quick", action="store_true", help="fewer repetitions")
    options.add_argument(
        "--spiff-seq10000",
        action="store_true",
        help="also run seq10000 on SpiffWorkflow (takes many minutes)",
    )
    args = options.parse_args()
    sys.setrecursionlimit(100_000)  # Spiff's parser recurses per task (seq1000 and up)
    print(
        f"{'diagram':<12}{'steps':>7}{'ours us':>12}{'ours-nohist':>12}{'spiff us':>12}{'ratio':>8}"
    )
    rows = measure(args.quick, args.spiff_seq10000)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "unit": "microseconds per BPMN step (median)",
                "ratio": "spiff / procession (with history effects)",
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
