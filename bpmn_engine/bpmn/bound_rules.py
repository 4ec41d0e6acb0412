"""Rules about bounds: cycles and loops that run without ever waiting (warnings: the
command budget stops them at run time), and texts longer than the columns that store them
(errors: they could never be stored)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bpmn_engine.bpmn.issues import ValidationIssue, error
from bpmn_engine.bpmn.model import (
    Activity,
    CallActivity,
    Definitions,
    EventBasedGateway,
    FlowNode,
    IntermediateCatchEvent,
    MultiInstanceLoopCharacteristics,
    ReceiveTask,
    StandardLoopCharacteristics,
    SubProcess,
    TimerEventDefinition,
    UserTask,
    UserTaskAssignment,
)
from bpmn_engine.bpmn.rule_support import ProcessCheck
from bpmn_engine.bpmn.walk import iter_model_elements
from bpmn_engine.expressions import is_expression

MAX_STEPS = 100_000  # the default command budget (runtime.budget.DEFAULT_MAX_STEPS)
MAX_CARDINALITY = 10_000  # the default multi-instance limit
MAX_TEXT = 255  # ids, names, job types (topics), retry cycles: 255-character columns
MAX_TIMER_TEXT = 1024  # timer expressions (cron, ISO 8601): a 1,024-character column
MAX_USER_TEXT = 150  # assignees and candidate users/groups: user and group name columns


def waits(node: FlowNode) -> bool:
    """Whether a token stops at ``node`` until something outside the command happens
    (subprocesses count as waiting: their inside is checked on its own)."""
    if node.async_before or node.async_after or getattr(node, "job", None) is not None:
        return True
    if isinstance(node, UserTask | ReceiveTask | CallActivity | SubProcess | EventBasedGateway):
        return True
    return isinstance(node, IntermediateCatchEvent) and bool(node.event_definitions)


def check_wait_free_cycles(check: ProcessCheck) -> Iterator[ValidationIssue]:
    """A sequence-flow cycle whose every element runs without waiting loops inside one
    command until a condition ends it, or the command budget does."""
    nodes, flows = check.process.all_nodes, check.process.all_flows
    free = {node_id for node_id, node in nodes.items() if not waits(node)}
    edges = {
        node_id: [flows[f].target_ref for f in nodes[node_id].outgoing if f in flows]
        for node_id in free
    }
    for component in _cycles(free, edges):
        first = min((nodes[n] for n in component), key=lambda n: (n.line or 0, n.id))
        path = " -> ".join(sorted(component))
        yield check.warning(
            "wait-free-cycle",
            f"Expected the cycle through {path} to contain a wait state (user or receive "
            "task, catch event, job), but none of its elements waits: unless a condition "
            "ends it, it runs until the command budget stops it",
            first,
        )


def _cycles(free: set[str], edges: dict[str, list[str]]) -> list[set[str]]:
    """Strongly connected components with a cycle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(free):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = [t for t in edges[node] if t in free]
            if i < len(targets):
                work.append((node, i + 1))
                target = targets[i]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def check_unbounded_loops(check: ProcessCheck) -> Iterator[ValidationIssue]:
    """A standard loop without a wait whose maximum is absent or beyond the command budget,
    and a multi-instance cardinality beyond the limit."""
    for node in check.process.all_nodes.values():
        loop = getattr(node, "loop", None)
        if isinstance(loop, StandardLoopCharacteristics) and isinstance(node, Activity):
            unbounded = loop.loop_maximum is None or loop.loop_maximum > MAX_STEPS
            if loop.loop_condition and unbounded and not waits(node):
                yield check.warning(
                    "unbounded-loop",
                    f"Expected the standard loop of '{node.id}' to be bounded, but its "
                    f"condition {loop.loop_condition!r} and loopMaximum "
                    f"{loop.loop_maximum} let it repeat without waiting until the command "
                    "budget stops it",
                    node,
                )
        if isinstance(loop, MultiInstanceLoopCharacteristics) and loop.loop_cardinality:
            text = loop.loop_cardinality.strip()
            if text.isdigit() and int(text) > MAX_CARDINALITY:
                yield check.warning(
                    "unbounded-loop",
                    f"Expected the loop cardinality of '{node.id}' to be at most "
                    f"{MAX_CARDINALITY}, but it is {text}: the activity gets an incident",
                    node,
                )


def check_column_lengths(
    definitions: Definitions, elements: dict[str, Any]
) -> Iterator[ValidationIssue]:
    """Texts the engine stores in columns of fixed width must fit them."""
    for element in iter_model_elements(definitions):
        texts = [("id", getattr(element, "id", None), MAX_TEXT)]
        texts.append(("name", getattr(element, "name", None), MAX_TEXT))
        job = getattr(element, "job", None)
        if job is not None:
            texts.append(("job type (topic)", job.type, MAX_TEXT))
            texts.append(("retry time cycle", job.retry_time_cycle, MAX_TEXT))
            texts.append(("result variable", job.result_variable, MAX_TEXT))
        texts.append(("retry time cycle", getattr(element, "retry_time_cycle", None), MAX_TEXT))
        if isinstance(element, TimerEventDefinition):
            texts.append(("timer expression", element.expression, MAX_TIMER_TEXT))
        assignment = getattr(element, "assignment", None)
        if isinstance(assignment, UserTaskAssignment):
            texts += _literal_assignment_texts(assignment)
        for what, text, limit in texts:
            if isinstance(text, str) and len(text) > limit:
                owner = getattr(element, "id", None) or None
                yield error(
                    "text-too-long",
                    f"Expected the {what} of <{element.tag}> to be at most {limit} "
                    f"characters, but it has {len(text)}",
                    owner[:MAX_TEXT] if owner else None,
                    getattr(element, "line", None) or None,
                )


def _literal_assignment_texts(a: UserTaskAssignment) -> list[tuple[str, Any, int]]:
    """A user task's assignment texts stored as written (expressions are checked when the
    runtime evaluates them, by the service's error boundary)."""
    texts: list[tuple[str, Any, int]] = [
        ("assignee", a.assignee, MAX_USER_TEXT),
        ("form key", a.form_key, MAX_TEXT),
        ("form reference", a.form_ref, MAX_TEXT),
    ]
    texts += [("candidate user", name, MAX_USER_TEXT) for name in a.candidate_users]
    texts += [("candidate group", name, MAX_USER_TEXT) for name in a.candidate_groups]
    return [(what, text, limit) for what, text, limit in texts if not is_expression(text)]
