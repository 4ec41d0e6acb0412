"""Print the headline figures of ``bench/results/*.json`` (or of the folder given as the
first argument, e.g. one run's ``bench/results/run-<time>``) as one table."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import support

FOLDER = Path(sys.argv[1]) if len(sys.argv) > 1 else support.RESULTS


def _steal(*shares: float | None) -> str:
    """A note when another guest took a noticeable share (>= 1 %) of the machine's CPU
    during a measured side: such a ratio compares unlike runs."""
    taken = [s for s in shares if s is not None]
    if not taken or max(taken) < 0.01:
        return ""
    return "; CPU steal " + " / ".join(f"{s:.1%}" for s in taken)


def load(name: str) -> dict[str, Any] | None:
    path = FOLDER / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def lines() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    runtime = load("runtime")
    if runtime:
        for r in runtime["results"]:
            spiff = (
                f"Spiff {r['spiff_us_per_step']} us ({r['ratio']}x)"
                if r["spiff_us_per_step"] is not None
                else "Spiff skipped"
            )
            rows.append(
                (
                    f"runtime {r['diagram']} ({r['steps']} steps)",
                    f"{r['procession_us_per_step']} us/step vs {spiff}",
                )
            )
    parse = load("parse")
    if parse:
        rows.append(
            (
                "parse (files both parse)",
                f"{parse['procession_files_per_s']} files/s vs Spiff "
                f"{parse['spiff_files_per_s']} ({parse['ratio_procession_over_spiff']}x)",
            )
        )
    expressions = load("expressions")
    if expressions:
        for case in expressions["cases"][:3]:
            rows.append((f"expr {case['case'][:40]}", f"{case['us_per_call']} us"))
    persisted = load("persisted")
    if persisted:
        for r in persisted.get("ratios") or []:
            rows.append(
                (
                    f"persisted PG {r['clients']} {r['kind']}",
                    f"{r['engine_commands_per_s']} cmd/s vs pgbench {r['pgbench_tps']} tps "
                    f"(ratio {r['ratio']}); CPU {r.get('engine_cpu_ms_per_command')} ms/cmd vs "
                    f"{r.get('pgbench_cpu_ms_per_tx')} ms/tx ({r.get('cpu_ratio')}x)"
                    + _steal(r.get("engine_cpu_steal_share"), r.get("pgbench_cpu_steal_share")),
                )
            )
        if persisted.get("sqlite"):
            run = persisted["sqlite"]["runs"][0]
            rows.append(
                (
                    "persisted SQLite 1 client",
                    f"{run['commands_per_s']} cmd/s, median {run['ms_per_command_median']} ms; "
                    f"raw sqlite3 {(persisted['sqlite'].get('raw') or {}).get('tps')} tps "
                    f"(ratio {persisted['sqlite'].get('ratio')})",
                )
            )
            for run in persisted["sqlite"].get("process_runs", []):
                rows.append(
                    (
                        f"persisted SQLite {run['clients']} processes",
                        f"{run['commands_per_s']} cmd/s, median {run['ms_per_command_median']} ms",
                    )
                )
            for raw in persisted["sqlite"].get("raw_processes", []):
                rows.append((f"raw sqlite3 {raw['processes']} process(es)", f"{raw['tps']} tps"))
    jobs = load("jobs")
    for r in (jobs or {}).get("rounds", []):
        pgbench = r.get("pgbench", {}).get("tps")
        rows.append(
            (
                f"jobs {r['workers']} worker(s), {r['instances']} instances",
                f"{r['jobs_per_s']} jobs/s vs no-op {r['noop_tasks_per_s']} tasks/s "
                f"(ratio {r['jobs_over_noop']}); pgbench {pgbench} tps",
            )
        )
    timers = load("timers")
    for f in (timers or {}).get("fleet", []):
        rows.append(
            (
                f"timers {f['timers']} due at once, {f['workers']} workers",
                f"all fired within {f['all_fired_within_s']} s, p95 {f['p95_ms']} ms",
            )
        )
    if timers and "burst" in timers:
        rows.append(("timers burst", f"{timers['burst']['fired_per_s']} timers/s"))
        for phase in ("poller", "beat"):
            t = timers.get(phase) or {}
            if "p50_ms" in t:
                rows.append(
                    (
                        f"timers lateness ({phase}, poll {t['poll_s']} s)",
                        f"p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms, max {t['max_ms']} ms",
                    )
                )
    curves = load("curves")
    for c in (curves or {}).get("sizes", []):
        rows.append(
            (
                f"latency at {c['stored_instances']:,} instances",
                f"start median {c['start']['median_ms']} ms (p95 {c['start']['p95_ms']}), "
                f"complete median {c['complete']['median_ms']} ms "
                f"(p95 {c['complete']['p95_ms']})",
            )
        )
    size = load("instance_size")
    for database in ("postgres", "sqlite"):
        for r in ((size or {}).get(database) or {}).get("rows", []):
            rows.append(
                (
                    f"complete 1 task, {r['tokens']:,} tokens ({database})",
                    f"median {r['median_ms']} ms ({r['ratio_to_1']}x the 1-token instance)",
                )
            )
    return rows


def _verdict(value: float | None, limit: float, *, at_most: bool = False) -> str:
    if value is None:
        return "not measured"
    met = value <= limit if at_most else value >= limit
    return ("met" if met else "NOT MET") + f" ({value:g})"


def targets() -> list[tuple[str, str]]:
    """The persisted path's targets (``docs/benchmarks.md``), each against this run."""
    rows: list[tuple[str, str]] = []
    persisted = load("persisted") or {}
    ratios = {(r["clients"], r["kind"]): r for r in persisted.get("ratios") or []}
    for key, label in (((1, "threads"), "1 client"), ((2, "processes"), "2 processes")):
        r = ratios.get(key) or {}
        steal = _steal(r.get("engine_cpu_steal_share"), r.get("pgbench_cpu_steal_share"))
        rows.append((f"engine / pgbench >= 0.5, {label}", _verdict(r.get("ratio"), 0.5) + steal))
        rows.append(
            (
                f"CPU per command <= 2x pgbench's, {label}",
                _verdict(r.get("cpu_ratio"), 2.0, at_most=True) + steal,
            )
        )
    runs = ((persisted.get("postgres") or {}).get("process_runs")) or []
    best = max((r["instances_per_s"] for r in runs), default=None)
    rows.append(("approval instances/s >= 500 (best process count)", _verdict(best, 500)))
    size = load("instance_size") or {}
    largest = [
        max(rs, key=lambda r: r["tokens"])
        for rs in ((size.get(db) or {}).get("rows") for db in ("postgres", "sqlite"))
        if rs
    ]
    rows.append(
        (
            "completing a task of the largest instance <= 2x a 1-token one",
            _verdict(max((r["ratio_to_1"] for r in largest), default=None), 2.0, at_most=True),
        )
    )
    fleet = [f for f in (load("timers") or {}).get("fleet", []) if f["timers"] >= 10_000]
    within = fleet[0]["all_fired_within_s"] if fleet else None
    rows.append(("10,000 timers due at once fired within 5 s", _verdict(within, 5.0, at_most=True)))
    rounds = (load("jobs") or {}).get("rounds", [])
    jobs = max((r["jobs_over_noop"] for r in rounds), default=None)
    rows.append(("jobs/s >= 0.5 of the no-op ceiling (best worker count)", _verdict(jobs, 0.5)))
    sqlite = persisted.get("sqlite") or {}
    rows.append(("SQLite >= 0.3 of raw sqlite3, 1 client each", _verdict(sqlite.get("ratio"), 0.3)))
    rows.append(
        (
            "SQLite >= 0.3 of raw sqlite3, each at its best client count",
            _verdict(sqlite.get("ratio_best"), 0.3),
        )
    )
    return rows


def main() -> None:
    for title, rows in (("summary", lines()), ("targets", targets())):
        width = max((len(name) for name, _ in rows), default=10)
        print(f"== {title} ({FOLDER})")
        for name, value in rows:
            print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
