"""Every executable process of the shared corpus that validates runs to its end on the pure
core, driven by its own structure: start it, then answer the open waits (complete user
tasks and jobs, fire timers, correlate messages, trigger signals, complete calls) until it
completes. Conditions get the variables of ``VARIABLES`` (conditional events too: nothing
answers their waits but a variable change); processes that cannot run are listed in
``CANNOT_RUN`` with the reason. No silent skips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest

from bpmn_engine.bpmn import check_bpmn, parse_bpmn
from bpmn_engine.bpmn.model import Definitions, Process
from bpmn_engine.runtime import (
    CompleteCallActivity,
    CompleteJob,
    CompleteUserTask,
    CorrelateMessage,
    FireTimer,
    StartInstance,
    TimerScheduled,
    TriggerSignal,
    advance,
    new_instance,
)
from bpmn_engine.runtime.lifecycle import TokenState
from tests.shared_data import CORPUS_DIR, require

require(CORPUS_DIR / "manifest.json", "the BPMN corpus")
CORPUS = CORPUS_DIR
NOW = datetime(2026, 1, 1, tzinfo=UTC)
STEP_BOUND = 300

# file -> variables given at the start and with every answer (what the conditions ask for)
VARIABLES: dict[str, dict[str, Any]] = {
    # ${x+5} in the call activity's input mapping
    "camunda7/engine-tests/callactivity/CallActivity.testSubProcessDataInputOutput.bpmn20.xml": {
        "x": 1,
        "y": 1,
    },
    # the called process tests ${subVariable == null}
    "camunda7/engine-tests/callactivity/dataSubProcess.bpmn20.xml": {"subVariable": None},
    # gateways branch on ${input ...}
    "camunda7/engine-tests/gateway/ExclusiveGatewayTest.testDefaultSequenceFlow.bpmn20.xml": {
        "input": 1
    },
    "camunda7/engine-tests/gateway/ExclusiveGatewayTest.testDivergingExclusiveGateway.bpmn20.xml": {
        "input": 1
    },
    "camunda7/engine-tests/gateway/InclusiveGatewayTest.testDivergingInclusiveGateway.bpmn20.xml": {
        "input": 1
    },
    # ${a==1} / ${b==1} after the subprocesses
    "camunda7/engine-tests/gateway/InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn20.xml": {
        "a": 1,
        "b": 1,
    },
    # the customer confirms the transaction: ${confirmed}
    "camunda7/engine-tests/subprocess/transaction/"
    "TransactionSubProcessTest.testSimpleCase.bpmn20.xml": {"confirmed": True},
    "flowable/TransactionSubProcessTest.testParseWithDI.bpmn20.xml": {"confirmed": True},
    # conditional intermediate catch events: ${variable == 1} / task_a_done
    "camunda7/engine-tests/event/conditional/"
    "IntermediateConditionalEventTest.testVariableValue.bpmn20.xml": {"variable": 1},
    "spiffworkflow/bpmn/data/conditional_event.bpmn": {"task_a_done": True},
    # FEEL conditions on conditionVariable / reviewResult
    "camunda8/js-sdk/conditional-pathway.bpmn": {"conditionVariable": True},
    "camunda8/zeebe-process-test/pr-created.bpmn": {"reviewResult": "approved"},
    "flowable/VacationRequest.bpmn20.xml": {"vacationApproved": "true", "resendRequest": "false"},
    # the assignee is ${initiator}
    "flowable/reviewSalesLead.bpmn20.xml": {"initiator": "kermit", "notEnoughInformation": False},
    # Spiff test diagrams: Python conditions on form answers
    "spiffworkflow/bpmn/data/Test-Workflows/Parallel-Join-Long-Inclusive.bpmn20.xml": {
        "choice": "Yes"
    },
    "spiffworkflow/bpmn/data/boundary.bpmn": {"answer": "Yes"},
    "spiffworkflow/bpmn/data/exclusive_gateway_no_default.bpmn": {"x": 2},
    "spiffworkflow/bpmn/data/inclusive_gateway.bpmn": {"u": 1, "v": 0, "w": 1},
    "spiffworkflow/bpmn/data/lanes.bpmn": {"NeedClarification": "No"},
    "spiffworkflow/bpmn/data/standard_loop.bpmn": {"done": True},
    "spiffworkflow/bpmn/data/timer-non-interrupt-boundary.bpmn": {"work_done": "Yes"},
    "spiffworkflow/camunda/data/ExclusiveGatewayIfElseAndDecision.bpmn": {"x": 1},
    "spiffworkflow/camunda/data/MessageBoundary.bpmn": {"interrupt_task": "Yes"},
    "spiffworkflow/spiff/data/error_event_payload.bpmn": {"error": None},
    # the potential owner is #{Creator}
    "bpmn-moddle/data-input-association.assignment.bpmn": {
        "Creator": "demo",
        "CreatorGroup": "sales",
        "CreateRequest": "Create",
    },
}

# files whose boundary events must fire before the activity's own work ends
BOUNDARIES_FIRST = {
    # a parallel join waits for the non-interrupting timer's path as well as the subprocess
    "spiffworkflow/bpmn/data/timer-non-interrupt-boundary.bpmn",
}

# (file, process id or "*") -> why it cannot run to its end here
CANNOT_RUN: dict[tuple[str, str], str] = {
    (
        "camunda7/examples/testing-assert/camunda-testing-job-announcement-publication.bpmn",
        "*",
    ): "condition calls a Java bean (jobAnnouncementService.postToWebsite)",
    (
        "camunda7/examples/testing-assert/camunda-testing-job-announcement.bpmn",
        "*",
    ): "expression calls a Java bean (jobAnnouncementService.findRequester)",
    ("camunda7/invoice/invoice.v1.bpmn", "*"): "due date uses Joda-Time dateTime().toDate()",
    ("camunda7/invoice/invoice.v2.bpmn", "*"): "due date uses Joda-Time dateTime().toDate()",
    ("camunda7/invoice/reviewInvoice.bpmn", "*"): "due date uses Joda-Time dateTime().toDate()",
    ("miwg/reference/C.1.0.bpmn", "*"): "service task delegate expression is a Java bean",
    ("camunda8/zeebe/AdHocSubProcess.bpmn", "*"): "ad-hoc subprocess (not supported)",
    (
        "flowable/AdhocSubProcessTest.testFlowsInAdhocSubProcess.bpmn20.xml",
        "*",
    ): "ad-hoc subprocess (not supported)",
    (
        "miwg/exports/aris-10.2025.07/B.2.0-export.bpmn",
        "*",
    ): "multi-instance without loop cardinality or collection (descriptive model)",
    (
        "miwg/exports/trisotech-workflow-modeler-12.6.3/B.2.0-export.bpmn",
        "*",
    ): "multi-instance without loop cardinality or collection (descriptive model)",
    ("spiffworkflow/bpmn/data/call_activity_call_activity.bpmn", "*"): "Python script (del)",
    ("spiffworkflow/bpmn/data/call_activity_end_event.bpmn", "*"): "Python script (print)",
    ("spiffworkflow/bpmn/data/io_spec.bpmn", "*"): "Python script (tuple assignment)",
    ("spiffworkflow/bpmn/data/timer-cycle-start.bpmn", "timer"): "Python script (print, % format)",
    ("spiffworkflow/bpmn/data/transaction.bpmn", "*"): "Python script (print, f-string)",
}


def _cases() -> list[tuple[str, str]]:
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    cases = []
    for entry in manifest:
        if entry["kind"] != "bpmn" or entry["expected_parse"] != "ok":
            continue
        source = (CORPUS / entry["path"]).read_bytes()
        errors = check_bpmn(source).errors
        for process in parse_bpmn(source).executable_processes():
            if not any(issue.process_id in (process.id, None) for issue in errors):
                cases.append((entry["path"], process.id))
    return cases


@cache
def _definitions(path: str) -> Definitions:
    return parse_bpmn((CORPUS / path).read_bytes())


def _start_event_id(process: Process) -> str | None:
    starts = process.start_events()
    if any(not s.event_definitions for s in starts) or not starts:
        return None
    return starts[0].id


def _answer(wait: Any, variables: dict[str, Any]) -> Any:
    kinds = {
        "user_task": CompleteUserTask,
        "job": CompleteJob,
        "call_activity": CompleteCallActivity,
        "message": CorrelateMessage,
        "signal": TriggerSignal,
    }
    if wait.kind == "timer":
        return FireTimer(wait.id)
    return kinds[wait.kind](wait.id, dict(variables))


def run_to_end(path: str, process_id: str) -> tuple[str, str]:
    """(final status, why it stopped) driving the process by its waits."""
    definitions = _definitions(path)
    process = definitions.processes[process_id]
    variables = VARIABLES.get(path, {})
    state = new_instance(process, instance_id="corpus")
    now, due = NOW, {}
    patience = 0 if path in BOUNDARIES_FIRST else STEP_BOUND // 2

    def send(trigger: Any) -> None:
        for effect in advance(process, state, trigger, now, definitions=definitions).effects:
            if isinstance(effect, TimerScheduled):
                due[effect.wait_id] = effect.due_at

    send(StartInstance(variables=dict(variables), start_event_id=_start_event_id(process)))
    for step in range(STEP_BOUND):
        if state.status != "active":
            return state.status, ""
        if state.incidents:
            incident = next(iter(state.incidents.values()))
            return "incident", f"{incident.kind}: {incident.message}"
        waits = [
            w
            for w in state.waits.values()
            if state.tokens[w.token_id].state != TokenState.LISTENING and w.kind != "conditional"
        ]
        if not waits:
            return "stuck", "no open wait"
        wait = min(waits, key=lambda w: _rank(state, w, patient=step < patience))
        if wait.kind == "timer":
            now = max(now, due.get(wait.id, now))
        send(_answer(wait, variables))
    return "bound", f"still active after {STEP_BOUND} steps"


def _rank(state: Any, wait: Any, patient: bool) -> tuple[int, int, int]:
    """The activity's own work first, then catch events, boundary events last; oldest first.
    Once patience runs out (an endless loop), boundary events first: the way out."""
    attached = (wait.node_id != state.tokens[wait.token_id].node_id) == patient
    order = {"user_task": 0, "job": 0, "call_activity": 0, "message": 1, "signal": 1, "timer": 2}
    return int(attached), order[wait.kind], int(wait.id.split("-")[1])


CASES = _cases()


@pytest.mark.parametrize(("path", "process_id"), CASES, ids=[f"{p}::{i}" for p, i in CASES])
def test_corpus_process_runs_to_its_end(path: str, process_id: str) -> None:
    reason = CANNOT_RUN.get((path, process_id)) or CANNOT_RUN.get((path, "*"))
    status, why = run_to_end(path, process_id)
    if reason is not None:
        assert status not in ("completed", "terminated"), f"now runs; remove: {reason}"
        return
    assert status in ("completed", "terminated"), why


def test_every_cannot_run_entry_names_a_corpus_process() -> None:
    known = {(p, i) for p, i in CASES} | {(p, "*") for p, _ in CASES}
    assert set(CANNOT_RUN) <= known
