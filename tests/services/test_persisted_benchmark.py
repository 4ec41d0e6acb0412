"""The persisted benchmark's instrumented pass (``bench/bench_persisted.py``) runs
against the engine as it is: it wraps the connection's ``_commit`` and the write path's
functions, and must find them where it put them after every command."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_persisted_benchmark_breakdown_times_every_commit_and_restores_the_connection(
    monkeypatch,
):
    from django.db import connection

    monkeypatch.syspath_prepend(str(BENCH))
    import bench_persisted

    bench_persisted.bench_user.cache_clear()
    bench_persisted.deploy()
    result = bench_persisted.breakdown(3)
    assert result["commands"] == 6
    assert result["sql_statements_per_start"] > 0
    assert result["ms_per_command_by_part"]["COMMIT"] > 0
    assert "_commit" not in connection.__dict__
    bench_persisted.bench_user.cache_clear()
