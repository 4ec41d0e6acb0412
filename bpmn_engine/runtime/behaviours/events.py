"""Behaviours of start, end, intermediate and boundary events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import (
    BoundaryEvent,
    CancelEventDefinition,
    CompensateEventDefinition,
    ConditionalEventDefinition,
    EndEvent,
    ErrorEventDefinition,
    EscalationEventDefinition,
    Event,
    IntermediateThrowEvent,
    LinkEventDefinition,
    MessageEventDefinition,
    SignalEventDefinition,
    TerminateEventDefinition,
)
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.base import Behaviour
from bpmn_engine.runtime.behaviours.compensation import cancel_transaction, compensate, step_done
from bpmn_engine.runtime.behaviours.conditions import condition_holds, open_conditional
from bpmn_engine.runtime.behaviours.errors import throw_error
from bpmn_engine.runtime.behaviours.escalations import throw_escalation
from bpmn_engine.runtime.behaviours.subscriptions import CATCHABLE, open_event_wait, rearm_timer
from bpmn_engine.runtime.behaviours.tasks import create_job
from bpmn_engine.runtime.kinds import IncidentKind, WaitKind
from bpmn_engine.runtime.lifecycle import TokenState, move
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import ROOT, Scope, Token, Wait
from bpmn_engine.runtime.triggers import CompleteJob, ThrowBpmnError
from bpmn_engine.runtime.variables import value_of

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run


def _trigger_variables(trigger: Any) -> Any:
    return getattr(trigger, "variables", None)


class StartEventBehaviour(Behaviour):
    """Start event: the token passes on. Message/timer/signal start events create NEW
    instances, which is the service layer's business (``StartInstance(start_event_id=...)``)."""


class EndEventBehaviour(Behaviour):
    """End event: none ends the path (the scope completes with its last token); terminate
    ends the whole scope; error throws to boundaries; signal broadcasts; message end is a
    job (like a send task) and ends the path once the job completes; escalation throws and
    ends the path; compensation compensates, then ends the path; cancel (in a transaction)
    compensates the transaction and leaves it by its cancel boundary event."""

    def execute(self, run: Run, token: Token, node: EndEvent) -> None:  # type: ignore[override]
        definition = run.tables.event_definition.get(node.id)
        if definition is None:
            run.leave(token, node)
        elif isinstance(definition, TerminateEventDefinition):
            terminate(run, token, node)
        elif isinstance(definition, ErrorEventDefinition):
            code, message = run.tables.error(definition.error_ref)
            code = code or definition.error_ref
            if not throw_error(run, token, code, message, None, from_activity=False):
                run.leave(token, node)  # Camunda 7: uncaught error end = none end event
        elif isinstance(definition, SignalEventDefinition):
            throw_signal(run, token, definition)
            run.leave(token, node)
        elif isinstance(definition, MessageEventDefinition) or node.job is not None:
            message_job(run, token, node, definition)
        else:
            throw_other(run, token, node, definition)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        finish_message_job(run, wait, token, trigger, self)

    def scope_done(self, run: Run, owner: Token, node: Any, scope: Scope) -> None:
        step_done(run, owner, node, scope)  # a compensation handler ended


class IntermediateThrowEventBehaviour(Behaviour):
    """Intermediate throw: none passes on, signal broadcasts, link jumps to the catching link
    event of the same name in the same (sub)process, message is a job, escalation throws
    and passes on unless an interrupting catch ended it, compensation waits for the
    handlers, then passes on (or at once with ``waitForCompletion="false"``, per the spec;
    Camunda 7 ignores the attribute and always waits)."""

    def execute(self, run: Run, token: Token, node: IntermediateThrowEvent) -> None:  # type: ignore[override]
        definition = run.tables.event_definition.get(node.id)
        if isinstance(definition, SignalEventDefinition):
            throw_signal(run, token, definition)
        elif isinstance(definition, LinkEventDefinition):
            jump_to_link(run, token, node, definition)
            return
        elif isinstance(definition, MessageEventDefinition) or node.job is not None:
            message_job(run, token, node, definition)
            return
        elif definition is not None:
            throw_other(run, token, node, definition)
            return
        run.leave(token, node)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        finish_message_job(run, wait, token, trigger, self)

    def scope_done(self, run: Run, owner: Token, node: Any, scope: Scope) -> None:
        step_done(run, owner, node, scope)  # a compensation handler ended


class IntermediateCatchEventBehaviour(Behaviour):
    """Intermediate catch: timer, message, signal or condition waits, then passes on; a
    condition that already holds passes at once (Camunda 7); a link catch passes on at once
    (reached by a jump)."""

    def execute(self, run: Run, token: Token, node: Event) -> None:  # type: ignore[override]
        definition = run.tables.event_definition.get(node.id)
        if definition is None or isinstance(definition, LinkEventDefinition):
            run.leave(token, node)
            return
        if isinstance(definition, ConditionalEventDefinition):
            if condition_holds(run, definition, token.child_scope or token.scope_id):
                run.leave(token, node)
            else:
                open_conditional(run, token, node.id, definition, node.id, evaluate=False)
                move(token, TokenState.WAITING)
            return
        open_event_wait(run, token, node.id, definition, node.id)
        move(token, TokenState.WAITING)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        run.close_wait(wait, fired=True)
        run.set_variables(token.scope_id, _trigger_variables(trigger))
        run.leave(token, run.tables.nodes[token.node_id])


class BoundaryEventBehaviour(Behaviour):
    """Boundary event: an interrupting one cancels its activity (and all inside it) and
    continues; a non-interrupting one forks a new token and keeps the activity (cycle timers
    re-arm, message/signal/conditional subscriptions stay open; a conditional one fires again
    only after its condition was false in between, per the spec, where Camunda 7 fires on
    every variable change while the condition holds)."""

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        node: BoundaryEvent = run.tables.nodes[wait.node_id]  # type: ignore[assignment]
        scope_id = token.scope_id
        fired = run.new_token(node.id, scope_id)
        if node.cancel_activity:
            run.close_wait(wait, fired=True)
            run.cancel_token(token)
        elif wait.kind == WaitKind.TIMER:
            run.close_wait(wait, fired=True)
            rearm_timer(run, token, wait)
        run.set_variables(scope_id, _trigger_variables(trigger))
        run.work.append(fired)


def terminate(run: Run, token: Token, node: EndEvent) -> None:
    """Terminate end event: end every token of the scope (the instance at the root)."""
    scope = run.state.scopes[token.scope_id]
    if run.history:
        run.record(fx.ActivityCompleted, token, node)
    for other_id in list(scope.tokens):
        other = run.state.tokens.get(other_id)
        if other is not None and other is not token:
            run.cancel_token(other)
    if scope.id == ROOT:
        run.discard(token)
        run.cancel_all()
        run.finish("terminated")
    else:
        run.end_token(token)


def throw_other(run: Run, token: Token, node: Event, definition: Any) -> None:
    """Escalation, compensation and cancel throws; anything else passes on."""
    if isinstance(definition, EscalationEventDefinition):
        code = run.tables.escalation_code(definition.escalation_ref)
        if not throw_escalation(run, token, code):
            run.leave(token, node)
    elif isinstance(definition, CompensateEventDefinition):
        if not compensate(run, token, node, definition):
            run.leave(token, node)
    elif isinstance(definition, CancelEventDefinition) and isinstance(node, EndEvent):
        cancel_transaction(run, token, node)
    else:
        run.leave(token, node)


def throw_signal(run: Run, token: Token, definition: SignalEventDefinition) -> None:
    name = value_of(run.tables.signal_name(definition.signal_ref), run.variables(token))
    run.effects.append(fx.SignalThrown(str(name), {}))


def jump_to_link(run: Run, token: Token, node: Event, definition: LinkEventDefinition) -> None:
    name = definition.link_name or node.name or ""
    target = run.tables.links.get((node.parent_id, name))
    if target is None:
        raise StepIncident(
            IncidentKind.LINK,
            f"Expected to jump from {node.id} to link '{name}', "
            "but no catching link event has that name",
        )
    if run.history:
        run.record(fx.ActivityCompleted, token, node)
    token.node_id, token.via = target, None
    move(token, TokenState.READY)
    run.work.append(token)


def message_job(run: Run, token: Token, node: Any, definition: Any) -> None:
    """A message throw/end event: a job for the service layer, like a send task."""
    ref = definition.message_ref if isinstance(definition, MessageEventDefinition) else None
    name = run.tables.message_name(ref) if ref else None
    create_job(run, token, node, node.job, "message", {"messageName": name} if name else {})
    move(token, TokenState.WAITING)


def finish_message_job(
    run: Run, wait: Wait, token: Token, trigger: Any, behaviour: Behaviour
) -> None:
    node = run.tables.nodes[token.node_id]
    if isinstance(trigger, ThrowBpmnError):
        run.close_wait(wait, fired=True, effect=fx.JobErrorThrown(wait.id, trigger.error_code))
        if not throw_error(
            run, token, trigger.error_code, trigger.message, trigger.variables, from_activity=False
        ):
            run.leave(token, node)
        return
    assert isinstance(trigger, CompleteJob)
    run.close_wait(wait, fired=True)
    run.set_variables(token.scope_id, trigger.variables)
    move(token, TokenState.READY)
    run.leave(token, node)


__all__ = ["CATCHABLE"]
