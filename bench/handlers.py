"""Trivial job handlers for ``bench/bench_jobs.py`` (``PROCESSION_HANDLER_MODULES=bench.handlers``).

They do no I/O, so a job's cost is the engine's: acquire, load variables, report.
"""

from __future__ import annotations

from bpmn_engine.jobs.handlers import JobContext, handler


@handler("bench-first", timeout=30)
def first(job: JobContext) -> dict[str, int]:
    return {"first": job.variables.get("n", 0) + 1}


@handler("bench-second", timeout=30)
def second(job: JobContext) -> dict[str, int]:
    return {"second": job.variables.get("first", 0) + 1}
