"""Errors raised when a command does not fit the instance ("Expected to <action> ..., but ...").

They are raised before the state is touched, so the caller's state stays valid.
"""

from __future__ import annotations


class RuntimeCommandError(Exception):
    """A trigger cannot be applied to the instance in its current state."""


class InstanceNotActiveError(RuntimeCommandError):
    """The instance already ended (completed, terminated or cancelled)."""


class InstanceAlreadyStartedError(RuntimeCommandError):
    """``StartInstance`` was applied to an instance that already runs."""


class InstanceNotStartedError(RuntimeCommandError):
    """A trigger other than ``StartInstance`` arrived before the instance started."""


class UnknownWaitError(RuntimeCommandError):
    """The trigger names a wait id that is not open."""


class WaitKindMismatchError(RuntimeCommandError):
    """The trigger does not fit the kind of the wait it names (e.g. completing a timer)."""


class UnknownIncidentError(RuntimeCommandError):
    """``RetryIncident`` names an incident that is not open."""


class UnknownScopeError(RuntimeCommandError):
    """``SetVariables`` names a scope that does not exist."""


class NoStartEventError(RuntimeCommandError):
    """The process has no start event the instance can start at."""


class UnknownTriggerError(RuntimeCommandError):
    """The trigger object is not one of the runtime's trigger classes."""


class ModificationError(RuntimeCommandError):
    """A token move names no active token, or a target that cannot take a new token."""
