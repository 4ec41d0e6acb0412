"""Configured limits (settings ``PROCESSION_*``, see docs/configuration.md) and what a
command does when it hits one: a typed refusal, or for a running instance that ran out
of its budget, an incident recorded after the rollback."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction
from django.dispatch import receiver
from django.utils import timezone

from bpmn_engine.audit import record
from bpmn_engine.errors import (
    CommandBudgetExceededError,
    InvalidCommandError,
    InvalidVariableError,
    LimitExceededError,
)
from bpmn_engine.models import Incident, ProcessInstance
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.encoding import ExactJSONEncoder
from bpmn_engine.models.instances import InstanceStatus
from bpmn_engine.models.work import IncidentState
from bpmn_engine.runtime import InstanceState
from bpmn_engine.runtime.budget import Budget, BudgetExceededError
from bpmn_engine.runtime.kinds import IncidentKind
from bpmn_engine.runtime.storable import unstorable

log = logging.getLogger(__name__)
BUDGET_INCIDENT = IncidentKind.COMMAND_BUDGET


# The limits as read, by setting name: every command reads several (``settings`` is a
# lazy object: each read goes through its ``__getattribute__``). Emptied whenever a
# setting changes (tests override them).
_read: dict[str, Any] = {}


@receiver(setting_changed)
def _forget_limits(**kwargs: Any) -> None:
    _read.clear()


def setting(name: str) -> int | float:
    try:
        return _read[name]  # type: ignore[no-any-return]
    except KeyError:
        value = _read[name] = getattr(settings, name)
        return value  # type: ignore[no-any-return]


def command_budget() -> Budget:
    """A fresh budget for one command, from the settings."""
    return Budget(
        max_steps=int(setting("PROCESSION_COMMAND_MAX_STEPS")),
        max_seconds=float(setting("PROCESSION_COMMAND_MAX_SECONDS")),
        max_tokens=int(setting("PROCESSION_MAX_TOKENS_PER_INSTANCE")),
        max_cardinality=int(setting("PROCESSION_MAX_MI_CARDINALITY")),
    )


_UTF8_JSON = ExactJSONEncoder(ensure_ascii=False)


def encoded_size(value: object) -> int:
    """Bytes of ``value`` as the database stores it (JSON, UTF-8)."""
    return len(_UTF8_JSON.encode(value).encode())


def stored_size(value: object, text: str) -> int:
    """``encoded_size(value)`` given ``text``, ``value`` as ``sql.json_value`` writes it
    (non-ASCII escaped): without a ``\\u`` escape that text is ASCII and the same as the
    UTF-8 one, so its length is the size; otherwise ``value`` is measured."""
    return len(text) if "\\u" not in text else encoded_size(value)


def check_state_size(state: InstanceState, node_id: str, size: int | None = None) -> None:
    """Raise ``BudgetExceededError`` when the state would be stored (or is stored, with
    ``size`` its stored bytes) larger than allowed."""
    limit = int(setting("PROCESSION_MAX_STATE_BYTES"))
    if (encoded_size(state.to_dict()) if size is None else size) > limit:
        raise BudgetExceededError("state bytes", limit, state.instance_id, node_id)


def check_handler_result_size(result: object) -> None:
    """Refuse a handler (job) result larger than ``PROCESSION_MAX_HANDLER_RESULT_BYTES``."""
    limit = int(setting("PROCESSION_MAX_HANDLER_RESULT_BYTES"))
    size = encoded_size(result)
    if size > limit:
        raise LimitExceededError(
            f"Expected a handler result of at most {limit} bytes, but it has {size}",
            limit="PROCESSION_MAX_HANDLER_RESULT_BYTES",
        )


def budget_exceeded(exc: BudgetExceededError, action: str) -> CommandBudgetExceededError:
    """After the rollback: record an incident on the element that ran out of budget (in a
    short transaction of its own; one open incident per element is enough), and return
    the typed error. A start leaves nothing behind: the instance never existed."""
    pk = int(exc.instance_id) if exc.instance_id.isdigit() else None
    recorded = False
    message = f"Expected to {action}: {exc}"
    if pk is not None:
        try:
            with transaction.atomic(durable=True):
                recorded = _record(pk, exc.node_id, message)
        except DatabaseError:
            log.exception("could not record the budget incident of instance %s", pk)
    if not recorded:
        message += "; nothing was changed"
    return CommandBudgetExceededError(
        message, node_id=exc.node_id, instance_id=pk if recorded else None
    )


def _record(pk: int, node_id: str, message: str) -> bool:
    row = ProcessInstance.objects.select_for_update().filter(pk=pk).first()
    if row is None or row.status != InstanceStatus.ACTIVE:
        return False
    node_id = node_id or row.definition.key
    open_incidents = Incident.objects.filter(
        instance=row, node_id=node_id, kind=BUDGET_INCIDENT, state=IncidentState.OPEN
    )
    if not open_incidents.exists():
        incident = Incident.objects.create(
            instance=row,
            node_id=node_id[:255],
            kind=BUDGET_INCIDENT,
            message=message,
            created_at=timezone.now(),
        )
        record(
            AuditEventType.INCIDENT_RAISED,
            instance_id=row.pk,
            definition_id=row.definition_id,
            element_id=incident.node_id,
            data={"incident_id": incident.pk, "kind": incident.kind, "message": message[:2000]},
            now=incident.created_at,
        )
    return True


# ---------------------------------------------------------------------- at the door
# Keyword arguments of commands that end up in columns of 255 characters.
TEXT_ARGUMENTS = (
    "business_key",
    "correlation_key",
    "message_name",
    "signal_name",
    "definition_key",
    "start_event_id",
    "worker_id",
    "topic",
    "name",
)
VARIABLE_ARGUMENTS = ("variables", "local_variables", "correlation_keys")
MAX_NAME_LENGTH = 255


def check_arguments(kwargs: dict[str, object]) -> None:
    """Refuse, before any work, command arguments the database could not store: variable
    maps (names, values, sizes) and texts longer than their columns."""
    for argument in VARIABLE_ARGUMENTS:
        variables = kwargs.get(argument)
        if variables is not None:
            check_variables(variables, argument)
    resources = kwargs.get("resources")
    if resources is not None:
        check_resources(resources)
    for argument in TEXT_ARGUMENTS:
        text = kwargs.get(argument)
        if type(text) is str and (len(text) > MAX_NAME_LENGTH or "\x00" in text):
            raise InvalidCommandError(
                f"Expected {argument} to be at most {MAX_NAME_LENGTH} characters without NUL, "
                f"but it has {len(text)}"
            )


def check_variables(variables: object, argument: str = "variables") -> None:
    """Every variable storable and within ``PROCESSION_MAX_VARIABLE_BYTES``; a typed error
    naming the first that is not."""
    if not isinstance(variables, dict):
        raise InvalidCommandError(
            f"Expected {argument} to be a mapping of names to values, but got "
            f"{type(variables).__name__}"
        )
    limit = int(setting("PROCESSION_MAX_VARIABLE_BYTES"))
    for name, value in variables.items():
        shown = str(name)[:80]
        if type(name) is not str or not name or len(name) > MAX_NAME_LENGTH or unstorable(name):
            raise InvalidVariableError(
                f"Expected a variable name of 1 to {MAX_NAME_LENGTH} characters, but got {shown!r}",
                name=shown,
            )
        problem = unstorable(value)
        if problem is not None:
            raise InvalidVariableError(
                f"Expected variable '{name}' to be storable, but {problem}", name=name
            )
        size = _size_within(value, limit)
        if size > limit:
            raise InvalidVariableError(
                f"Expected variable '{name}' to be at most {limit} bytes, but it has {size} "
                "(PROCESSION_MAX_VARIABLE_BYTES)",
                name=name,
            )


def _size_within(value: object, limit: int) -> int:
    """``encoded_size(value)``, or a bound of it when that bound is within ``limit``: the
    usual scalars are not encoded just to be measured."""
    kind = type(value)
    if value is None or kind is bool:
        return 5  # null, true, false
    if kind is int:
        return len(str(value))  # JSON writes an int as its decimal digits
    if kind is str:
        bound = len(value) * 6 + 2  # at most 6 bytes a character (an escape), and quotes
        if bound <= limit:
            return bound
        if len(value) > limit:
            return len(value)
    return encoded_size(value)


def check_resources(resources: object) -> None:
    """A deployment's resources: at most ``PROCESSION_MAX_RESOURCES_PER_DEPLOYMENT``, each
    named in at most 255 characters and of at most ``PROCESSION_MAX_RESOURCE_BYTES``."""
    if not isinstance(resources, Mapping):
        raise InvalidCommandError(
            f"Expected resources to map names to bytes, but got {type(resources).__name__}"
        )
    count_limit = int(setting("PROCESSION_MAX_RESOURCES_PER_DEPLOYMENT"))
    if len(resources) > count_limit:
        raise LimitExceededError(
            f"Expected at most {count_limit} resources in a deployment, but got {len(resources)}",
            limit="PROCESSION_MAX_RESOURCES_PER_DEPLOYMENT",
        )
    size_limit = int(setting("PROCESSION_MAX_RESOURCE_BYTES"))
    for name, content in resources.items():
        if type(name) is not str or not name or len(name) > MAX_NAME_LENGTH or unstorable(name):
            raise InvalidCommandError(
                f"Expected a resource name of 1 to {MAX_NAME_LENGTH} characters, but got "
                f"{str(name)[:80]!r}"
            )
        if not isinstance(content, bytes | bytearray | memoryview):
            raise InvalidCommandError(
                f"Expected resource '{name}' to be bytes, but got {type(content).__name__}"
            )
        if len(content) > size_limit:
            raise LimitExceededError(
                f"Expected resource '{name}' to be at most {size_limit} bytes, but it has "
                f"{len(content)}",
                limit="PROCESSION_MAX_RESOURCE_BYTES",
            )
