"""Errors the service layer raises. Each names the broken rule; messages read
"Expected to <action> <thing id>, but <state>".

Every class carries a stable ``code`` (kebab-case) that API clients and operators can rely
on; the message may change, the code does not. Nothing else leaves a service: the command
decorator (``services.transactions``) turns database and Python errors into the typed
errors at the end of this module.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base class of service-layer errors."""

    code = "engine-error"


class NotFoundError(EngineError):
    """The named definition, instance, task, job, timer or incident does not exist."""

    code = "not-found"


class DeploymentInvalidError(EngineError):
    """A resource failed validation; ``issues`` maps resource name to its issues."""

    code = "deployment-invalid"

    def __init__(self, message: str, issues: dict[str, tuple[Any, ...]]) -> None:
        super().__init__(message)
        self.issues = issues


class DefinitionSuspendedError(EngineError):
    """Instances of a suspended definition cannot start."""

    code = "definition-suspended"


class ConcurrentModificationError(EngineError):
    """The instance row changed under us (version check failed)."""

    code = "concurrent-modification"


class TaskAlreadyClaimedError(EngineError):
    """The user task is held by another user."""

    code = "task-already-claimed"


class TaskNotAssignedError(EngineError):
    """The user task must be claimed by the acting user first."""

    code = "task-not-assigned"


class TaskNotOpenError(EngineError):
    """The user task was completed or cancelled already."""

    code = "task-not-open"


class MessageCorrelationError(EngineError):
    """No subscription (or more than one, when only one may) matched a message."""

    code = "message-not-correlated"


class JobNotActiveError(EngineError):
    """The job was completed, cancelled or failed already, or is locked by another worker."""

    code = "job-not-active"


class IncidentNotOpenError(EngineError):
    """The incident was resolved already."""

    code = "incident-not-open"


class StaleJobLeaseError(JobNotActiveError):
    """A worker reported on a job whose lease it no longer holds (fencing)."""

    code = "stale-job-lease"


class BackpressureError(EngineError):
    """Too much work is queued; try again after ``retry_after`` seconds."""

    code = "backpressure"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ExternalTaskLockError(JobNotActiveError):
    """An external task is not locked, or locked by another worker."""

    code = "external-task-lock"


class CommandBudgetExceededError(EngineError):
    """The command ran out of steps, wall time or tokens (a cycle or loop without a wait
    state): it was rolled back, and an incident names ``node_id`` when the instance
    existed before the command."""

    code = "command-budget-exceeded"

    def __init__(self, message: str, *, node_id: str, instance_id: int | None) -> None:
        super().__init__(message)
        self.node_id, self.instance_id = node_id, instance_id


class LimitExceededError(EngineError):
    """A configured size or count limit (``limit`` names the setting) was exceeded."""

    code = "limit-exceeded"

    def __init__(self, message: str, *, limit: str) -> None:
        super().__init__(message)
        self.limit = limit


class InvalidVariableError(EngineError):
    """A variable cannot be stored (``name`` says which): not JSON, NaN/Infinity, a NUL
    character or lone surrogate, too deep or too large."""

    code = "invalid-variable"

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name


class InvalidCommandError(EngineError):
    """The command's arguments do not fit (wrong type, unknown wait or scope, a value the
    database refused, a too-deep structure)."""

    code = "invalid-command"


class InstanceStateError(InvalidCommandError):
    """The instance is not in a state the command applies to (ended, not started, the
    wait is no longer open)."""

    code = "instance-state"


class StorageError(EngineError):
    """The database refused or failed the command for a reason other than a conflict."""

    code = "storage-error"


class InstanceSuspendedError(InstanceStateError):
    """The instance is suspended: nothing moves it until it is resumed (cancel still works)."""

    code = "instance-suspended"


class MessageNotCorrelatedError(MessageCorrelationError):
    """Nothing waits for the message and no message start event takes it."""

    code = "message-not-correlated"


class MessageAmbiguousError(MessageCorrelationError):
    """More than one execution waits for the message, and only one may receive it."""

    code = "message-ambiguous"


class InstanceModificationError(InvalidCommandError):
    """A token move does not fit the instance (no token at the source, bad target)."""

    code = "instance-modification"


class ReasonRequiredError(InvalidCommandError):
    """An operator's change to an instance must say why (it goes into the audit trail)."""

    code = "reason-required"


class DecisionEvaluationError(EngineError):
    """A decision could not be evaluated (bad input, no rule fits a UNIQUE table, ...)."""

    code = "decision-evaluation-failed"


class NotVisibleError(NotFoundError):
    """The object exists, but not for this user: reported exactly like a missing one, so
    nobody learns that it exists (HTTP 404)."""


class ForbiddenError(EngineError):
    """The user sees the object but may not do this to it (HTTP 403)."""

    code = "forbidden"


class TaskDelegatedError(EngineError):
    """A delegated task is resolved by its delegate, not completed."""

    code = "task-delegated"


class InvalidAssigneeError(EngineError):
    """The named user does not exist, is inactive, or may never work on tasks."""

    code = "invalid-assignee"


class FormValidationError(InvalidCommandError):
    """Submitted form values do not fit the form; ``field_errors`` maps each field key
    (``__all__`` for the whole submission) to friendly messages. Nothing was changed."""

    code = "form-invalid"

    def __init__(self, message: str, field_errors: dict[str, tuple[str, ...]]) -> None:
        super().__init__(message)
        self.field_errors = field_errors


class FormSchemaError(InvalidCommandError):
    """A form description (``camunda:formData`` or a form-js schema) cannot be used: bad
    shape, an unsupported component or constraint, or an unsafe pattern."""

    code = "form-schema-invalid"
