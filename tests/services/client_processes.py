"""Client processes for tests that run commands from several processes at once: each is a
Python script on the test database that sets up Django, says "ready" on stdout, waits for
"go" on stdin, does its work and prints one JSON line last. ``run_together`` starts them
on the work at once, however long each took to import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.celery_process import ROOT
from tests.jobs.conftest import database_url


def start(script: str, *args: str) -> subprocess.Popen[str]:
    """One client process running ``script`` (``python -c``) with ``args``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": "memory://",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_together(clients: list[subprocess.Popen[str]]) -> list[Any]:
    """Wait until every client is ready, tell them all to go, and return each one's last
    line, decoded (a client that failed fails the test with its error output)."""
    for client in clients:  # all set up and connected before any starts
        assert client.stdout is not None and client.stdin is not None
        assert client.stdout.readline() == "ready\n", client.communicate()[1]
    for client in clients:
        client.stdin.write("go\n")  # type: ignore[union-attr]
        client.stdin.flush()  # type: ignore[union-attr]
    reports = []
    for client in clients:
        out, err = client.communicate(timeout=300)
        assert client.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports
