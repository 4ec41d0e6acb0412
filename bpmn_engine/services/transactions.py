"""The one way a service command runs: a durable transaction, retried on lock conflicts."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

from bpmn_engine.errors import ConcurrentModificationError

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, ConcurrentModificationError):
        return True
    if isinstance(exc, OperationalError):
        cause = exc.__cause__
        sqlstate = getattr(cause, "sqlstate", None)
        return sqlstate in RETRYABLE_SQLSTATES or "database is locked" in str(exc)
    return False


def command(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in ``transaction.atomic(durable=True)``; retry it from the start when
    the database reports a deadlock or serialization failure, or the version check fails.
    Nothing of a failed attempt survives, so a retry is always safe."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with transaction.atomic(durable=True):
                    return func(*args, **kwargs)
            except Exception as exc:
                if attempt == MAX_ATTEMPTS or not _retryable(exc):
                    raise
                log.info("retrying %s after %s (attempt %d)", func.__name__, exc, attempt)
        raise AssertionError("unreachable")

    return run
