"""The read side: noun-phrase queries over the engine's rows, for pages, the API, audits
and the console. Nothing here writes or locks.

Every selector takes keyword-only arguments and an optional ``queryset`` to read from: a
caller that filters by permission (``bpmn_engine.permissions``) passes its pre-filtered
queryset, and the selector narrows and orders it. Lists return querysets (the caller
paginates); details return small frozen dataclasses of rows and plain values. Each
selector has a query-count budget in ``tests/selectors``.

Modules: ``instances`` (list, detail with active activities and incidents), ``tasks``
(user tasks with the variables visible at their scope), ``history`` (activity instances in
order, with called-instance links and loop markers), ``incidents``, ``jobs`` (jobs and
external tasks). Other read sides add modules of their own here (``selectors/audit.py``).
"""

from bpmn_engine.selectors.history import activity_history
from bpmn_engine.selectors.incidents import incident_list
from bpmn_engine.selectors.instances import InstanceDetail, instance_detail, instance_list
from bpmn_engine.selectors.jobs import external_task_list, job_list
from bpmn_engine.selectors.tasks import (
    TaskDetail,
    task_variables,
    user_task_detail,
    user_task_list,
    user_tasks_with_variables,
)

__all__ = [
    "InstanceDetail",
    "TaskDetail",
    "activity_history",
    "external_task_list",
    "incident_list",
    "instance_detail",
    "instance_list",
    "job_list",
    "task_variables",
    "user_task_detail",
    "user_task_list",
    "user_tasks_with_variables",
]
