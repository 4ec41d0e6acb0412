"""Ring the Celery doorbell for jobs, after the transaction that created them commits.

A failed publish is logged, never raised: the job row is already committed and the
sweeper (``dispatch_due_jobs``) sends it again after ``PROCESSION_JOB_REDISPATCH_SECONDS``.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

from bpmn_engine.jobs.handlers import DEFAULT_TIMEOUT_SECONDS, get_handler, has_handler

log = logging.getLogger(__name__)

#: Sent by name through the app, so nothing below the services imports the Celery adapters.
RUN_JOB_TASK = "procession.run_job"


def publish_run_job(job_id: int, job_type: str) -> bool:
    """Send one ``run_job`` message now; False when the broker refused it."""
    timeout = get_handler(job_type).timeout if has_handler(job_type) else DEFAULT_TIMEOUT_SECONDS
    try:
        current_app.send_task(
            RUN_JOB_TASK,
            args=(job_id,),
            retry=False,
            soft_time_limit=timeout,
            time_limit=timeout + 30,
        )
    except Exception:  # any broker failure: the sweeper re-sends from the job table
        log.warning("could not publish job %s; the sweeper will re-send it", job_id, exc_info=True)
        return False
    return True


def dispatch_after_commit(job_id: int, job_type: str) -> None:
    transaction.on_commit(lambda: publish_run_job(job_id, job_type))
