"""The project runs on embedded defaults and on production values from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-" + "y" * 20,
            "ALLOWED_HOSTS": "procession.example.com",
            "PROCESSION_VAR_DIR": str(tmp_path),
        }
    )
    return env


def test_deploy_check_reports_nothing_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("this pass runs on " + connection.vendor)
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        # the test database may be in-memory-like for xdist workers; a file database is WAL
        assert cursor.fetchone()[0] in {"wal", "memory"}


def test_database_url_selects_the_backend():
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postg") else "sqlite"
    assert connection.vendor == expected


def test_celery_is_configured_for_at_least_once_delivery():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    if not settings.EMBEDDED_BROKER:
        assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
