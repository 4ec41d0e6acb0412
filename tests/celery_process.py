"""Run a real Celery worker as a child process for tests, on the suite's broker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


class CeleryWorkerProcess:
    """One ``celery -A config worker`` process with its own queue and hostname."""

    def __init__(
        self,
        *,
        log_path: Path,
        concurrency: int = 1,
        extra_env: dict | None = None,
        embedded_beat: bool = False,
    ):
        self.log_path = log_path
        self.embedded_beat = embedded_beat
        self.concurrency = concurrency
        self.hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
                "CELERY_BROKER_DIR": str(settings.BROKER_DIR),
                "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={self.concurrency}",
            "--pool=prefork",
            f"--hostname={self.hostname}",
            f"--queues={self.queue}",
            "--without-gossip",
            "--without-mingle",
        ]
        if self.embedded_beat:
            command += ["-B", f"--schedule={self.log_path.with_suffix('.beat')}"]
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.read_log()}")
            if self.ping():
                self._previous_queue = app.conf.task_default_queue
                app.conf.task_default_queue = self.queue  # this process's sends reach it
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"worker did not answer a ping in {timeout}s:\n{self.read_log()}")

    def ping(self, timeout: float = 1.0) -> list:
        return app.control.ping(destination=[self.hostname], timeout=timeout)

    def read_log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pool_children(self) -> list[int]:
        """Pids of the prefork pool's child processes (where tasks run)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        """Stop the worker and its pool at once (``SIGKILL`` to its process group). The
        test is over when this runs, so nothing waits for a warm shutdown: that took 6 s
        per worker, and 15 s (the old timeout) for one whose handler hung or ignored its
        limits. Anything it left half done is rolled back with the test's database."""
        if getattr(self, "_previous_queue", None):
            app.conf.task_default_queue = self._previous_queue
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # the group is already gone
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        if getattr(self, "log", None):
            self.log.close()
