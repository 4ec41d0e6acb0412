"""The service layer: each public function is one command in one durable transaction.

It locks the instance row, applies the pure runtime, and writes state, history and the
work the step creates. Views, API endpoints and Celery tasks call only these.
"""

from bpmn_engine.services.conditions import evaluate_start_conditions
from bpmn_engine.services.deployments import DeploymentResult, deploy_definition
from bpmn_engine.services.events import (
    CorrelationResult,
    broadcast_signal,
    correlate_message,
    fire_timer,
)
from bpmn_engine.services.incidents import retry_incident
from bpmn_engine.services.instances import (
    cancel_instance,
    resume_instance,
    set_variables,
    start_instance,
    suspend_instance,
)
from bpmn_engine.services.jobs import complete_job, job_variables, throw_job_error
from bpmn_engine.services.operations import change_variables, move_token
from bpmn_engine.services.timer_firing import claim_due_timers, fire_due_timers, fire_timers
from bpmn_engine.services.user_tasks import (
    assign_user_task,
    claim_user_task,
    comment_on_user_task,
    complete_user_task,
    delegate_user_task,
    resolve_user_task,
    unclaim_user_task,
)

__all__ = [
    "CorrelationResult",
    "DeploymentResult",
    "assign_user_task",
    "broadcast_signal",
    "cancel_instance",
    "change_variables",
    "claim_due_timers",
    "claim_user_task",
    "comment_on_user_task",
    "complete_job",
    "complete_user_task",
    "correlate_message",
    "delegate_user_task",
    "deploy_definition",
    "evaluate_start_conditions",
    "fire_due_timers",
    "fire_timer",
    "fire_timers",
    "job_variables",
    "move_token",
    "resolve_user_task",
    "resume_instance",
    "retry_incident",
    "set_variables",
    "start_instance",
    "suspend_instance",
    "throw_job_error",
    "unclaim_user_task",
]
