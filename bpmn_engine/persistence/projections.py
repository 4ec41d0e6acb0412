"""Apply the runtime's effects to the work tables (user tasks, jobs, timers,
subscriptions, incidents, variables) inside the command's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from itertools import chain
from typing import Any

from bpmn_engine.bpmn.timers import TimerDefinitionError
from bpmn_engine.forms.generated import field_dict
from bpmn_engine.jobs.dispatch import dispatch_after_commit
from bpmn_engine.jobs.retry_policy import retry_policy
from bpmn_engine.models import (
    DecisionEvaluation,
    EventSubscription,
    Incident,
    Job,
    ProcessDefinition,
    ProcessInstance,
    Timer,
    UserTask,
    UserTaskCandidate,
    VariableRow,
)
from bpmn_engine.models.work import (
    CandidateKind,
    IncidentState,
    JobState,
    SubscriptionKind,
    TimerState,
    UserTaskState,
)
from bpmn_engine.persistence import sql
from bpmn_engine.runtime import InstanceState
from bpmn_engine.runtime import effects as fx


def variable_type(value: Any) -> str:
    """The Camunda-style type name of a JSON value."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer" if -(2**31) <= value < 2**31 else "Long"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, str):
        return "String"
    if isinstance(value, datetime):
        return "Date"
    return "Json"


_TASK_COLUMNS = (
    "instance_id",
    "wait_id",
    "node_id",
    "name",
    "state",
    "assignee",
    "owner",
    "delegation_state",
    "priority",
    "due_at",
    "follow_up_at",
    "form_key",
    "form_ref",
    "form_fields",
    "created_at",
    "completed_by",
)


def _user_task_created(instance: ProcessInstance, e: fx.UserTaskCreated, now: datetime) -> None:
    """The task row and its candidate rows: one statement on PostgreSQL (a data-modifying
    ``WITH``) or without candidates, deferred (``sql.defer``); two on SQLite."""
    row = (
        instance.pk,
        e.wait_id,
        e.node_id,
        e.name or "",
        UserTaskState.OPEN,
        e.assignee or "",
        "",
        "",
        e.priority,
        sql.when(e.due_at),
        sql.when(e.follow_up_at),
        e.form_key or "",
        e.form_ref or "",
        sql.json_value([field_dict(f) for f in e.form_fields]),
        sql.when(now),
        "",
    )
    candidates = [(CandidateKind.USER, u) for u in e.candidate_users] + [
        (CandidateKind.GROUP, g) for g in e.candidate_groups
    ]
    if not candidates:
        sql.insert_rows(UserTask, _TASK_COLUMNS, [row], json_columns=_FORM_FIELDS)
    elif sql.is_postgres():  # one statement: the candidates take the id the insert returns
        sql.defer(_task_with_candidates_sql(len(candidates)), [*row, *chain(*candidates)])
    else:
        [(task_id,)] = sql.insert_rows(
            UserTask, _TASK_COLUMNS, [row], json_columns=_FORM_FIELDS, suffix="RETURNING id"
        )
        sql.insert_rows(
            UserTaskCandidate,
            ("user_task_id", "kind", "identity"),
            [(task_id, kind, identity) for kind, identity in candidates],
        )


@cache
def _task_with_candidates_sql(count: int) -> str:
    marks = ", ".join("%s::jsonb" if column in _FORM_FIELDS else "%s" for column in _TASK_COLUMNS)
    pairs = ", ".join(["(%s, %s)"] * count)
    return (
        f"WITH task AS (INSERT INTO {sql.table(UserTask)} ({', '.join(_TASK_COLUMNS)}) "
        f"VALUES ({marks}) RETURNING id) "
        f"INSERT INTO {sql.table(UserTaskCandidate)} (user_task_id, kind, identity) "
        f"SELECT task.id, c.kind, c.identity FROM task, (VALUES {pairs}) AS c (kind, identity)"
    )


_FORM_FIELDS = frozenset({"form_fields"})


def is_external(definition: ProcessDefinition, e: fx.JobCreated) -> bool:
    """Whether external workers fetch the job: a topic job (``camunda:type="external"``,
    ``zeebe:taskDefinition``) whose type the engine did not handle when this definition
    was deployed. The same answer in every process, whatever handlers it has loaded."""
    topic_job = e.external or e.implementation == "type"
    return topic_job and e.job_type not in definition.engine_job_types


def _job_created(instance: ProcessInstance, e: fx.JobCreated, now: datetime) -> None:
    """A job row; jobs the engine runs go to Celery once the step commits, the others
    wait for external workers (see ``is_external``)."""
    external = is_external(instance.definition, e)
    retries = e.retries
    if e.retry_time_cycle:
        try:
            retries = retry_policy(e.retry_time_cycle).retries
        except TimerDefinitionError:
            retries = e.retries
    row = (
        instance.pk,
        e.wait_id,
        e.node_id,
        e.job_type,
        external,
        JobState.PENDING,
        retries,
        e.retry_time_cycle or "",
        e.priority,
        sql.json_value(dict(e.headers)),
        e.implementation,
        e.result_variable or "",
        f"{instance.pk}:{e.wait_id}",
        sql.when(now),
        None if external else sql.when(now),
        "",
        None,
        0,
        "",
        sql.when(now),
        None,
    )
    # Written, not built by the ORM; the id comes back for the doorbell after the commit.
    [(job_id,)] = sql.insert_rows(
        Job, _JOB_COLUMNS, [row], json_columns=_JOB_JSON, suffix="RETURNING id"
    )
    if not external:
        dispatch_after_commit(job_id, e.job_type)


_JOB_COLUMNS = (
    "instance_id",
    "wait_id",
    "node_id",
    "job_type",
    "external",
    "state",
    "retries",
    "retry_time_cycle",
    "priority",
    "headers",
    "implementation",
    "result_variable",
    "idempotency_key",
    "due_at",
    "dispatched_at",
    "lock_owner",
    "lock_expires_at",
    "attempts",
    "last_error",
    "created_at",
    "completed_at",
)
_JOB_JSON = frozenset({"headers"})


def _timer_scheduled(instance: ProcessInstance, e: fx.TimerScheduled, now: datetime) -> None:
    Timer.objects.create(
        instance=instance,
        wait_id=e.wait_id,
        node_id=e.node_id,
        kind=e.kind,
        expression=e.expression,
        due_at=e.due_at,
        fired_count=e.fired_count,
        repetitions_left=e.repetitions_left,
        created_at=now,
    )


def _message_opened(instance: ProcessInstance, e: Any, now: datetime) -> None:
    EventSubscription.objects.create(
        kind=SubscriptionKind.MESSAGE,
        event_name=e.message_name,
        correlation_key=e.correlation_key,
        instance=instance,
        wait_id=e.wait_id,
        node_id=e.node_id,
        created_at=now,
    )


def _signal_opened(instance: ProcessInstance, e: Any, now: datetime) -> None:
    EventSubscription.objects.create(
        kind=SubscriptionKind.SIGNAL,
        event_name=e.signal_name,
        instance=instance,
        wait_id=e.wait_id,
        node_id=e.node_id,
        created_at=now,
    )


def _incident_raised(instance: ProcessInstance, e: fx.IncidentRaised, now: datetime) -> None:
    """An incident row; one raised on a still open wait (a failed job) names that job."""
    job_id = None
    if e.wait_id:
        job_id = (
            Job.objects.filter(instance=instance, wait_id=e.wait_id)
            .values_list("pk", flat=True)
            .first()
        )
    Incident.objects.create(
        instance=instance,
        incident_id=e.incident_id,
        job_id=job_id,
        node_id=e.node_id,
        kind=e.kind,
        message=e.message[:10_000],
        details=e.details[:100_000],
        created_at=now,
    )


def _user_task_completed(instance: ProcessInstance, e: fx.UserTaskCompleted, now: datetime) -> None:
    sql.defer(
        f"UPDATE {sql.table(UserTask)} SET state = %s, completed_at = %s, completed_by = %s "
        "WHERE instance_id = %s AND wait_id = %s",
        (UserTaskState.COMPLETED, sql.when(now), e.completed_by or "", instance.pk, e.wait_id),
    )


def _subscription_closed(
    instance: ProcessInstance, e: fx.SubscriptionClosed, now: datetime
) -> None:
    EventSubscription.objects.filter(instance=instance, wait_id=e.wait_id).delete()


def _close(model: type, **changes: Any) -> Callable[[ProcessInstance, Any, datetime], None]:
    """A handler setting ``changes`` (``NOW`` = the command's time) on the row of ``model``
    named by the effect's wait id: one statement, written once."""
    columns = list(changes)

    def close(instance: ProcessInstance, e: Any, now: datetime) -> None:
        values = [sql.when(now) if v is NOW else v for v in changes.values()]
        sets = ", ".join(f"{c} = %s" for c in columns)
        sql.defer(
            f"UPDATE {sql.table(model)} SET {sets} WHERE instance_id = %s AND wait_id = %s",
            (*values, instance.pk, e.wait_id),
        )

    return close


NOW = object()


def _decision_evaluated(instance: ProcessInstance, e: fx.DecisionEvaluated, now: datetime) -> None:
    DecisionEvaluation.objects.create(
        definition_id=e.definition_id,
        instance=instance,
        element_id=e.node_id,
        details=list(e.details),
        evaluated_at=now,
    )


HANDLERS: dict[type, Callable[[ProcessInstance, Any, datetime], None]] = {
    fx.UserTaskCreated: _user_task_created,
    fx.UserTaskCompleted: _user_task_completed,
    fx.UserTaskCancelled: _close(UserTask, state=str(UserTaskState.CANCELLED), completed_at=NOW),
    fx.JobCreated: _job_created,
    fx.JobCompleted: _close(
        Job, state=str(JobState.COMPLETED), completed_at=NOW, lock_owner="", lock_expires_at=None
    ),
    fx.JobErrorThrown: _close(
        Job, state=str(JobState.COMPLETED), completed_at=NOW, lock_owner="", lock_expires_at=None
    ),
    fx.JobCancelled: _close(
        Job, state=str(JobState.CANCELLED), completed_at=NOW, lock_owner="", lock_expires_at=None
    ),
    fx.TimerScheduled: _timer_scheduled,
    fx.TimerFired: _close(Timer, state=str(TimerState.FIRED)),
    fx.TimerCancelled: _close(Timer, state=str(TimerState.CANCELLED)),
    fx.MessageSubscriptionOpened: _message_opened,
    fx.SignalSubscriptionOpened: _signal_opened,
    fx.SubscriptionClosed: _subscription_closed,
    fx.IncidentRaised: _incident_raised,
    fx.DecisionEvaluated: _decision_evaluated,
}


def apply_effects(
    instance: ProcessInstance, state: InstanceState, effects: list[fx.Effect], now: datetime
) -> None:
    """Write every work-table effect; variables are upserted once per scope and name."""
    changed: dict[tuple[str, str], Any] = {}
    for effect in effects:
        handler = HANDLERS.get(type(effect))
        if handler is not None:
            handler(instance, effect, now)
        elif isinstance(effect, fx.IncidentResolved):
            Incident.objects.filter(
                instance=instance, incident_id=effect.incident_id, state=IncidentState.OPEN
            ).update(state=IncidentState.RESOLVED, resolved_at=now)
        elif isinstance(effect, fx.VariablesChanged):
            for name, value in effect.changes.items():
                changed[(effect.scope_id, name)] = value
    _write_variables(instance, state, changed)


def _write_variables(
    instance: ProcessInstance, state: InstanceState, changed: dict[tuple[str, str], Any]
) -> None:
    live = [
        (scope, name, value) for (scope, name), value in changed.items() if scope in state.scopes
    ]
    if live:
        sql.insert_rows(
            VariableRow,
            ("instance_id", "scope_id", "name", "type", "value"),
            [
                (instance.pk, scope, name, variable_type(value), sql.json_value(value))
                for scope, name, value in live
            ],
            json_columns=_VALUE,
            suffix="ON CONFLICT (instance_id, scope_id, name) DO UPDATE "
            "SET type = excluded.type, value = excluded.value",
        )


_VALUE = frozenset({"value"})
