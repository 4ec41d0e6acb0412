"""Behaviours of tasks: user, service/send/business rule (jobs), script, receive, manual."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.bound_rules import MAX_TEXT, MAX_USER_TEXT
from bpmn_engine.bpmn.model import (
    Activity,
    FlowNode,
    JobDefinition,
    ReceiveTask,
    ScriptTask,
    UserTask,
)
from bpmn_engine.bpmn.timers import TimerDefinitionError, parse_datetime, parse_duration
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.base import ActivityBehaviour
from bpmn_engine.runtime.behaviours.errors import throw_error
from bpmn_engine.runtime.behaviours.subscriptions import open_message
from bpmn_engine.runtime.decisions import (
    DecisionError,
    decision_effect,
    map_result,
    plain,
    result_list,
)
from bpmn_engine.runtime.kinds import IncidentKind, WaitKind
from bpmn_engine.runtime.lifecycle import TokenState, move
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Token, Wait
from bpmn_engine.runtime.triggers import CompleteJob, CompleteUserTask, ThrowBpmnError
from bpmn_engine.runtime.variables import EVALUATION_ERRORS, value_of

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run

WAITING = TokenState.WAITING
DECISION_ERRORS: tuple[type[BaseException], ...] = (DecisionError, *EVALUATION_ERRORS)


class TaskBehaviour(ActivityBehaviour):
    """Task, manual task: no work for the engine; the token passes through (BPMN: a manual
    task is done outside any engine, so Camunda does not wait either)."""


class UserTaskBehaviour(ActivityBehaviour):
    """User task: waits for a person. Assignee, candidates, dates and priority are evaluated
    on entry; completion variables follow the scoping rule, local ones go to the task scope."""

    def start(self, run: Run, token: Token, node: UserTask) -> None:  # type: ignore[override]
        a = node.assignment
        variables = run.variables(token)
        assignee = value_of(a.assignee, variables)
        assignee = None if assignee is None else _fitting(str(assignee), "assignee", node.id)
        users = _names(a.candidate_users, variables, "candidate user", node.id)
        groups = _names(a.candidate_groups, variables, "candidate group", node.id)
        due_at = _moment(a.due_date, variables, run.now, node.id)
        follow_up_at = _moment(a.follow_up_date, variables, run.now, node.id)
        priority = _int(value_of(a.priority, variables), 50, node.id)
        form_key = value_of(a.form_key, variables)
        if form_key is not None:
            form_key = _fitting(str(form_key), "form key", node.id, MAX_TEXT)
        wait = run.open_wait(token, WaitKind.USER_TASK, node.id, node.id)
        run.effects.append(
            fx.UserTaskCreated(
                wait.id,
                node.id,
                node.name,
                token.id,
                token.child_scope or token.scope_id,
                assignee,
                users,
                groups,
                due_at,
                follow_up_at,
                priority,
                form_key,
                a.form_fields,
                a.form_ref,
            )
        )
        move(token, WAITING)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        assert isinstance(trigger, CompleteUserTask)
        run.close_wait(wait, fired=True, effect=fx.UserTaskCompleted(wait.id, trigger.completed_by))
        node: Activity = run.tables.nodes[token.node_id]  # type: ignore[assignment]
        if trigger.local_variables:
            scope_id = token.child_scope or run.open_local_scope(token, node).id
            run.set_variables(scope_id, trigger.local_variables, local=True)
        run.set_variables(token.child_scope or token.scope_id, trigger.variables)
        move(token, TokenState.READY)
        run.complete_activity(token, node)


class JobTaskBehaviour(ActivityBehaviour):
    """Service, send and business rule tasks: the work becomes a job (``JobCreated``) that a
    handler or external worker completes (``CompleteJob``) or fails with a BPMN error
    (``ThrowBpmnError``, routed to error boundaries). Deviation: Camunda runs Java delegates
    in the engine's transaction; here every implementation is a job."""

    def start(self, run: Run, token: Token, node: Any) -> None:
        extra = {}
        if getattr(node, "decision_ref", None):
            extra["decisionRef"] = node.decision_ref
        if getattr(node, "message_ref", None):
            extra["messageName"] = run.tables.message_name(node.message_ref)
        create_job(run, token, node, node.job, node.tag, extra)
        move(token, WAITING)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        node: Activity = run.tables.nodes[token.node_id]  # type: ignore[assignment]
        if isinstance(trigger, ThrowBpmnError):
            run.close_wait(wait, fired=True, effect=fx.JobErrorThrown(wait.id, trigger.error_code))
            if not throw_error(
                run,
                token,
                trigger.error_code,
                trigger.message,
                trigger.variables,
                from_activity=True,
            ):
                run.end_path(token)  # Camunda: uncaught, the execution just ends
            return
        assert isinstance(trigger, CompleteJob)
        run.close_wait(wait, fired=True)
        run.set_variables(token.child_scope or token.scope_id, trigger.variables)
        move(token, TokenState.READY)
        run.complete_activity(token, node)


class BusinessRuleTaskBehaviour(JobTaskBehaviour):
    """Business-rule task: with a decision reference and a decision provider, the decision
    is evaluated inside the step and its (mapped) result stored in ``resultVariable``; a
    missing or failing decision is an incident. Otherwise it is a job like a service task."""

    def start(self, run: Run, token: Token, node: Any) -> None:
        provider = run.decisions
        if not node.decision_ref or provider is None:
            super().start(run, token, node)
            return
        key = node.decision_ref
        resolved = provider(key, node.decision_binding, node.decision_version)
        if resolved is None:
            raise StepIncident(
                IncidentKind.DECISION,
                f"Expected decision '{key}' ({node.decision_binding}) to be deployed, "
                "but there is none",
            )
        variables = dict(run.variables(token))
        try:
            evaluation = resolved.model.evaluate(key, variables)
            if node.map_decision_result == "value":
                value = plain(evaluation.value)
            else:
                entries = result_list(evaluation, resolved.model, key)
                value = plain(map_result(node.map_decision_result, entries))
        except DECISION_ERRORS as failure:
            raise StepIncident(
                IncidentKind.DECISION, f"Decision '{key}' failed: {failure}"
            ) from None
        run.effects.append(decision_effect(node.id, token, resolved, evaluation))
        result_variable = node.job.result_variable
        if result_variable:
            run.set_variables(token.child_scope or token.scope_id, {result_variable: value})
        run.complete_activity(token, node)


class ScriptTaskBehaviour(ActivityBehaviour):
    """Script task: runs the script in the sandboxed expression language (compiled once);
    assigned variables follow the scoping rule, or ``resultVariable`` gets the script's
    value. Scripts in other languages (Groovy, JavaScript) fail with an incident."""

    def start(self, run: Run, token: Token, node: ScriptTask) -> None:  # type: ignore[override]
        if node.script is None:
            raise StepIncident(
                IncidentKind.SCRIPT,
                f"Expected to run the script of {node.id}, but it "
                "has no inline script (external resources are not supported)",
            )
        variables = run.variables(token)
        scope_id = token.child_scope or token.scope_id
        try:
            if node.result_variable:
                value = run.tables.expression(node.script).evaluate(variables)
                run.set_variables(scope_id, {node.result_variable: value})
            else:
                run.set_variables(scope_id, run.tables.script(node.script).run(variables))
        except EVALUATION_ERRORS as failure:
            raise StepIncident(IncidentKind.SCRIPT, str(failure)) from None
        run.complete_activity(token, node)


class ReceiveTaskBehaviour(ActivityBehaviour):
    """Receive task: waits for its message (``CorrelateMessage``), then completes."""

    def start(self, run: Run, token: Token, node: ReceiveTask) -> None:  # type: ignore[override]
        open_message(run, token, node.id, node.message_ref, node.id)
        move(token, WAITING)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        run.close_wait(wait, fired=True)
        run.set_variables(token.child_scope or token.scope_id, trigger.variables)
        move(token, TokenState.READY)
        run.complete_activity(token, run.tables.nodes[token.node_id])  # type: ignore[arg-type]


def create_job(
    run: Run,
    token: Token,
    node: FlowNode,
    job: JobDefinition | None,
    default_type: str,
    extra_headers: dict[str, Any],
) -> Wait:
    """Open a job wait and announce it with every value the job row needs."""
    job = job or JobDefinition()
    variables = run.variables(token)
    job_type = value_of(job.type, variables) or default_type
    retries = _int(value_of(job.retries, variables), 3, node.id)
    priority = _int(value_of(job.priority, variables), 0, node.id)
    headers = {**job.headers, **extra_headers} if extra_headers else job.headers
    wait = run.open_wait(token, WaitKind.JOB, node.id, node.id, {"job_type": str(job_type)})
    run.effects.append(
        fx.JobCreated(
            wait.id,
            node.id,
            token.id,
            str(job_type),
            job.external,
            retries,
            job.retry_time_cycle or getattr(node, "retry_time_cycle", None),
            dict(headers),
            priority,
            token.child_scope or token.scope_id,
            job.implementation,
            job.result_variable,
        )
    )
    return wait


def _names(entries: tuple[str, ...], variables: Any, what: str, node_id: str) -> tuple[str, ...]:
    names: list[str] = []
    for entry in entries:
        value = value_of(entry, variables)
        if value is None:
            continue
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        names.extend(_fitting(str(i).strip(), what, node_id) for i in items if str(i).strip())
    return tuple(names)


def _fitting(text: str, what: str, node_id: str, limit: int = MAX_USER_TEXT) -> str:
    """``text`` if it fits the column it is stored in, else an incident on the task."""
    if len(text) > limit:
        raise StepIncident(
            IncidentKind.EXPRESSION,
            f"Expected the {what} of {node_id} to be at most {limit} characters, "
            f"but it has {len(text)}",
        )
    return text


def _moment(text: str | None, variables: Any, now: datetime, node_id: str) -> datetime | None:
    value = value_of(text, variables)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        text = str(value).strip()
        if text.upper().startswith("P"):
            return parse_duration(text).add_to(now)
        return parse_datetime(text)
    except TimerDefinitionError as failure:
        raise StepIncident(
            IncidentKind.EXPRESSION, f"Expected a date for {node_id}, but {failure}"
        ) from None


def _int(value: Any, default: int, node_id: str) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StepIncident(
            IncidentKind.EXPRESSION, f"Expected an integer for {node_id}, but got {value!r}"
        ) from None
