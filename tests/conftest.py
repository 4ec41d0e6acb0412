"""Suite-wide fixtures and markers.

Tests under the pure-core folders (``bpmn``, ``runtime``, ``expressions``, ``dmn``, ``forms``)
are marked ``pure``: they need no database and run once. Everything else runs again on PostgreSQL
and Redis in the second pass of ``scripts/run_tests.sh``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.celery_process import CeleryWorkerProcess

PURE_FOLDERS = {"bpmn", "runtime", "expressions", "dmn", "forms"}
TESTS_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(str(item.path)).relative_to(TESTS_DIR)
        if relative.parts and relative.parts[0] in PURE_FOLDERS:
            item.add_marker(pytest.mark.pure)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pure: pure-core test, no database, runs once")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Logins stay real; only the deliberately slow production hash (PBKDF2, ~0.4 s per
    password here) is swapped for new passwords. PBKDF2 still verifies the demo fixtures'
    stored hashes. (``override_settings`` also clears Django's cached hashers.)"""
    from django.test import override_settings

    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
    ):
        yield


@pytest.fixture
def celery_worker_process(tmp_path: Path):
    """Start a real ``celery worker`` process on the configured broker; stop it afterwards."""
    worker = CeleryWorkerProcess(log_path=tmp_path / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
