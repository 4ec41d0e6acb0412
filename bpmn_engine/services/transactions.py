"""The one way a service command runs: a durable transaction, retried on lock conflicts,
and the error boundary: only ``EngineError`` subclasses leave a command."""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, overload

from django.db import DatabaseError, DataError, IntegrityError, OperationalError

from bpmn_engine.errors import (
    ConcurrentModificationError,
    EngineError,
    InstanceStateError,
    InvalidCommandError,
    StorageError,
)
from bpmn_engine.expressions import ExpressionError
from bpmn_engine.persistence import guards, sql, sqlite_writes
from bpmn_engine.runtime.budget import BudgetExceededError
from bpmn_engine.runtime.errors import RuntimeCommandError

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected
# Before attempt n + 1 a command pauses a random 0 .. RETRY_PAUSE_SECONDS * 2**(n - 1):
# two commands that deadlocked would otherwise retry in the same instant and may take
# the same rows in the same clashing order again. At most 30 ms over all attempts.
RETRY_PAUSE_SECONDS = 0.002
# Python errors a command's input can provoke (a value of the wrong type, a structure too
# deep to walk, a number too large to convert); a command answers them with a typed error.
INPUT_ERRORS = (
    TypeError,
    ValueError,
    KeyError,
    IndexError,
    AttributeError,
    ArithmeticError,
    RecursionError,
    MemoryError,
)


def _conflict(exc: Exception) -> Exception:
    """A version conflict the server found (``guards``: a deferred state ``UPDATE``
    refused) as the ``ConcurrentModificationError`` the client-side check raises."""
    if isinstance(exc, DatabaseError) and (
        getattr(exc.__cause__, "sqlstate", None) == guards.VERSION_CONFLICT
    ):
        diag = getattr(exc.__cause__, "diag", None)
        message = getattr(diag, "message_primary", None) or str(exc)
        conflict = ConcurrentModificationError(message)
        conflict.__cause__ = exc
        return conflict
    return exc


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, ConcurrentModificationError):
        return True
    if isinstance(exc, OperationalError):
        cause = exc.__cause__
        sqlstate = getattr(cause, "sqlstate", None)
        return sqlstate in RETRYABLE_SQLSTATES or "database is locked" in str(exc)
    return False


def retry_pause(attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based) before the next one:
    random, so that two commands that clashed do not retry in step."""
    return random.uniform(0, RETRY_PAUSE_SECONDS * 2 ** (attempt - 1))  # noqa: S311 (not a secret)


def typed(exc: Exception, action: str) -> EngineError:
    """The ``EngineError`` a command raises for ``exc`` (already typed errors unchanged)."""
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, RuntimeCommandError):
        return InstanceStateError(str(exc))
    if isinstance(exc, ExpressionError):
        return InvalidCommandError(str(exc))
    if isinstance(exc, DataError):
        return InvalidCommandError(f"Expected to {action}, but the database refused a value: {exc}")
    if isinstance(exc, DatabaseError):
        return StorageError(f"Expected to {action}, but the database failed: {exc}")
    if isinstance(exc, RecursionError):
        return InvalidCommandError(f"Expected to {action}, but a value is nested too deeply")
    if isinstance(exc, INPUT_ERRORS):
        return InvalidCommandError(f"Expected to {action}, but {type(exc).__name__}: {exc}")
    log.exception("unexpected error in %s", action)
    return StorageError(f"Expected to {action}, but it failed: {type(exc).__name__}: {exc}")


@overload
def command(func: Callable[P, R]) -> Callable[P, R]: ...


@overload
def command(*, optimistic: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def command(func: Callable[P, R] | None = None, *, optimistic: bool = False) -> Any:
    """Run ``func`` in ``transaction.atomic(durable=True)``; retry it from the start when
    the database reports a deadlock or serialization failure, or the version check fails.
    Nothing of a failed attempt survives, so a retry is always safe.

    ``optimistic``: on SQLite the command reads before it takes the write lock and holds
    the lock only while its writes run (``persistence.sqlite_writes``). For commands whose
    writes are checked against what they read: the instance version, the instance's audit
    chain, a reserved instance id. When a check fails (or the attempt hits a unique
    constraint) the command runs again holding the lock from its ``BEGIN``.

    A command that runs out of its budget is rolled back; an incident is then recorded on
    the element that looped in a fresh, short transaction (``services.limits``). Every
    other failure leaves as an ``EngineError`` (see :func:`typed`)."""
    if func is None:
        return functools.partial(command, optimistic=optimistic)
    action = func.__name__.replace("_", " ")

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        from bpmn_engine.services.limits import check_arguments

        check_arguments(kwargs)
        reads_first = optimistic
        for attempt in range(1, MAX_ATTEMPTS + 1):
            queue = None
            try:
                with (
                    sql.write_batch() as batch,
                    sqlite_writes.command_transaction(optimistic=reads_first) as queue,
                    sql.audit_heads_scope(),
                ):
                    result = func(*args, **kwargs)
                    if batch is not None:
                        batch.send_with_commit()
                return result
            except BudgetExceededError as exc:
                from bpmn_engine.services.limits import budget_exceeded

                raise budget_exceeded(exc, action) from None
            except Exception as raised:
                exc = _conflict(raised)
                if queue is not None:  # an optimistic attempt: the next one locks first
                    reads_first = False
                    if isinstance(exc, IntegrityError):
                        exc = sqlite_writes.OptimisticConflict(str(exc))
                if attempt == MAX_ATTEMPTS or not _retryable(exc):
                    error = typed(exc, action)
                    if error is raised:
                        raise
                    raise error from raised
                log.info("retrying %s after %s (attempt %d)", func.__name__, exc, attempt)
                if not isinstance(exc, sqlite_writes.OptimisticConflict):
                    time.sleep(retry_pause(attempt))
        raise AssertionError("unreachable")

    return run
