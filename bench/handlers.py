"""Trivial job handlers for ``bench/bench_jobs.py`` (``PROCESSION_HANDLER_MODULES=bench.handlers``).

They do no I/O, so a job's cost is the engine's: acquire, load variables, report. The
``bench.noop`` Celery task is the ceiling the jobs are compared with.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from bpmn_engine.jobs.handlers import JobContext, handler


@handler("bench-first", timeout=30)
def first(job: JobContext) -> dict[str, int]:
    return {"first": job.variables.get("n", 0) + 1}


@handler("bench-second", timeout=30)
def second(job: JobContext) -> dict[str, int]:
    return {"second": job.variables.get("first", 0) + 1}


# ---------------------------------------------------------------- the no-op ceiling
_counter: Any = None


@shared_task(name="bench.noop", ignore_result=True)
def noop(counter_key: str) -> None:
    """A trivial task through the same broker and workers as the jobs: it only counts
    itself (one Redis INCR), so the benchmark knows when every message was handled."""
    global _counter
    if _counter is None:
        import redis
        from django.conf import settings

        _counter = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    _counter.incr(counter_key)
