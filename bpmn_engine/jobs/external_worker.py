"""A polling worker for external tasks that runs in-process against the services (the
REST API will offer the same over HTTP). Handlers use the same ``JobContext`` protocol as
Celery-run handlers: return variables, raise ``BpmnError``, or raise to fail."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bpmn_engine.errors import JobNotActiveError
from bpmn_engine.jobs.handlers import BpmnError, JobContext
from bpmn_engine.jobs.retry_policy import retry_policy
from bpmn_engine.services.external_tasks import (
    LockedExternalTask,
    TopicRequest,
    complete_external_task,
    fetch_and_lock,
    report_external_bpmn_error,
    report_external_failure,
)

log = logging.getLogger(__name__)


@dataclass
class ExternalWorker:
    worker_id: str
    topic: str
    function: Callable[[JobContext], Any]
    lock_duration_ms: int = 300_000
    max_tasks: int = 10
    retries: int = 3

    def run_once(self) -> int:
        """Fetch, lock and work one batch; returns how many tasks it handled."""
        tasks = fetch_and_lock(
            worker_id=self.worker_id,
            max_tasks=self.max_tasks,
            topics=[TopicRequest(name=self.topic, lock_duration_ms=self.lock_duration_ms)],
        )
        for task in tasks:
            self.handle(task)
        return len(tasks)

    def handle(self, task: LockedExternalTask) -> None:
        context = JobContext(
            job_id=task.id,
            job_type=task.topic_name,
            idempotency_key=f"external:{task.id}",
            variables=task.variables,
            headers=task.headers,
            instance_id=task.instance_id,
            business_key=task.business_key,
            node_id=task.activity_id,
        )
        try:
            result = self.function(context)
        except BpmnError as error:
            report_external_bpmn_error(
                task_id=task.id,
                worker_id=self.worker_id,
                error_code=error.code,
                error_message=error.message,
                variables=error.variables,
            )
        except Exception as exc:  # reported to the engine, which retries or raises an incident
            left = (task.retries if task.retries is not None else self.retries) - 1
            delay = retry_policy(None).delay(max(self.retries - left, 1))
            report_external_failure(
                task_id=task.id,
                worker_id=self.worker_id,
                error_message=f"{type(exc).__name__}: {exc}",
                error_details=traceback.format_exc(),
                retries=max(left, 0),
                retry_timeout_ms=int(delay.total_seconds() * 1000),
            )
        else:
            try:
                complete_external_task(
                    task_id=task.id, worker_id=self.worker_id, variables=dict(result or {})
                )
            except JobNotActiveError as exc:
                log.warning("task %s was taken from us meanwhile: %s", task.id, exc)

    def run_forever(self, *, poll_seconds: float = 1.0) -> None:
        while True:
            if not self.run_once():
                time.sleep(poll_seconds)
