"""Errors the service layer raises. Each names the broken rule; messages read
"Expected to <action> <thing id>, but <state>"."""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base class of service-layer errors."""


class NotFoundError(EngineError):
    """The named definition, instance, task, job, timer or incident does not exist."""


class DeploymentInvalidError(EngineError):
    """A resource failed validation; ``issues`` maps resource name to its issues."""

    def __init__(self, message: str, issues: dict[str, tuple[Any, ...]]) -> None:
        super().__init__(message)
        self.issues = issues


class DefinitionSuspendedError(EngineError):
    """Instances of a suspended definition cannot start."""


class ConcurrentModificationError(EngineError):
    """The instance row changed under us (version check failed)."""


class TaskAlreadyClaimedError(EngineError):
    """The user task is held by another user."""


class TaskNotAssignedError(EngineError):
    """The user task must be claimed by the acting user first."""


class TaskNotOpenError(EngineError):
    """The user task was completed or cancelled already."""


class MessageCorrelationError(EngineError):
    """No subscription (or more than one, when only one may) matched a message."""


class JobNotActiveError(EngineError):
    """The job was completed, cancelled or failed already, or is locked by another worker."""


class IncidentNotOpenError(EngineError):
    """The incident was resolved already."""


class StaleJobLeaseError(JobNotActiveError):
    """A worker reported on a job whose lease it no longer holds (fencing)."""


class BackpressureError(EngineError):
    """Too much work is queued; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ExternalTaskLockError(JobNotActiveError):
    """An external task is not locked, or locked by another worker."""
