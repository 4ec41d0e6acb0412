"""Event subprocesses: started by an event inside the scope that contains them.

While a process or subprocess scope runs, each of its event subprocesses with a message,
timer, signal or conditional start holds a *listener* token (``LISTENING``, never blocking
the scope's completion) that owns the start event's subscription. Error and escalation starts are
found when the error/escalation propagates through the scope (``find_event_start``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import (
    ConditionalEventDefinition,
    ErrorEventDefinition,
    EscalationEventDefinition,
    StartEvent,
    SubProcess,
)
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.subprocesses import SubProcessBehaviour
from bpmn_engine.runtime.behaviours.subscriptions import CATCHABLE, open_event_wait, rearm_timer
from bpmn_engine.runtime.kinds import WaitKind
from bpmn_engine.runtime.lifecycle import ActivityPhase, TokenState, move
from bpmn_engine.runtime.state import ROOT, Scope, Token, Wait

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run

LISTENED = CATCHABLE


class EventSubProcessBehaviour(SubProcessBehaviour):
    """Event subprocess: interrupting starts cancel everything else in the enclosing scope
    (other listeners too) and the scope completes when the event subprocess does;
    non-interrupting starts run beside it, and their message/signal/conditional
    subscriptions stay open (timer cycles re-arm). A non-interrupting conditional start fires
    again only after its condition was false in between, as the spec says (Camunda 7 fires
    on every variable change while it holds). Never entered by a sequence flow."""

    def listen(self, run: Run, scope_id: str, esp: SubProcess) -> None:
        for start in esp.start_events():
            definition = run.tables.event_definition.get(start.id)
            if isinstance(definition, LISTENED):
                listen_start(run, scope_id, esp, start, definition)

    def retry(self, run: Run, token: Token, node: Any, phase: str) -> None:
        if phase == ActivityPhase.EXECUTE:  # only listeners fail before their scope opens
            relisten(run, token, node)
        else:
            super().retry(run, token, node, phase)

    def on_wait(self, run: Run, wait: Wait, token: Token, trigger: Any) -> None:
        start: StartEvent = run.tables.nodes[wait.node_id]  # type: ignore[assignment]
        esp: SubProcess = run.tables.nodes[token.node_id]  # type: ignore[assignment]
        scope = run.state.scopes[token.scope_id]
        if start.is_interrupting:
            run.close_wait(wait, fired=True)
            interrupt(run, scope)
        elif wait.kind == WaitKind.TIMER:
            run.close_wait(wait, fired=True)
            rearm_timer(run, token, wait)
            if not token.waits:
                run.discard(token)
        start_event_subprocess(run, scope, esp, start, getattr(trigger, "variables", None))


def listen_start(
    run: Run, scope_id: str, esp: SubProcess, start: StartEvent, definition: Any
) -> None:
    """A listener token of ``esp`` in ``scope_id`` holding the wait of one start event."""
    listener = run.new_token(esp.id, scope_id)
    move(listener, TokenState.LISTENING)
    open_event_wait(run, listener, start.id, definition, esp.id)


def interrupt(run: Run, scope: Scope) -> None:
    """Cancel every token of ``scope`` (an interrupting event subprocess starts)."""
    tokens = run.state.tokens
    for token_id in list(scope.tokens):
        token = tokens.get(token_id)
        if token is not None:
            run.cancel_token(token)


def start_event_subprocess(
    run: Run, scope: Scope, esp: SubProcess, start: StartEvent, variables: Any = None
) -> Scope:
    """A new instance of ``esp`` in ``scope``: its token, its own scope, its start token."""
    token = run.new_token(esp.id, scope.id)
    move(token, TokenState.IN_SCOPE)
    if run.history:
        run.record(fx.ActivityStarted, token, esp)
    inner = run.open_local_scope(token, esp)
    inner.local = False
    run.set_variables(inner.id, variables)
    run.enter_scope(inner.id, esp.id)
    run.work.append(run.new_token(start.id, inner.id))
    return inner


def container_of(run: Run, scope: Scope) -> str | None:
    """The process/subprocess whose event subprocesses belong to ``scope``, if any."""
    if scope.id == ROOT:
        return run.tables.process.id
    node = run.tables.nodes.get(scope.node_id)
    if isinstance(node, SubProcess) and "loop" not in scope.data:
        return node.id
    return None


def find_event_start(
    run: Run, scope: Scope, kind: type, code: str | None
) -> tuple[SubProcess, StartEvent, Any] | None:
    """The error/escalation event subprocess start of ``scope`` catching ``code`` (an exact
    code first, then one without a code)."""
    container = container_of(run, scope)
    if container is None:
        return None
    catch_all = None
    for esp, start, definition in run.tables.event_starts.get(container, ()):
        if not isinstance(definition, kind):
            continue
        caught = _code(run, definition)
        if caught is None:
            catch_all = catch_all or (esp, start, definition)
        elif caught == code:
            return esp, start, definition
    return catch_all


def _code(run: Run, definition: Any) -> str | None:
    if isinstance(definition, ErrorEventDefinition):
        return run.tables.error(definition.error_ref)[0]
    if isinstance(definition, EscalationEventDefinition):
        return run.tables.escalation_code(definition.escalation_ref)
    return None


def relisten(run: Run, listener: Token, esp: Any) -> None:
    """Retry of a conditional event subprocess listener whose condition failed: subscribe
    its conditional starts again (evaluated at once) and complete the scope if only
    listeners are left in it."""
    scope = run.state.scopes[listener.scope_id]
    run.discard(listener)
    held = {w.node_id for w in run.state.waits.values() if w.scope_id == scope.id}
    for start in esp.start_events():
        definition = run.tables.event_definition.get(start.id)
        if isinstance(definition, ConditionalEventDefinition) and start.id not in held:
            listen_start(run, scope.id, esp, start, definition)
    tokens = run.state.tokens
    if all(tokens[t].state == TokenState.LISTENING for t in scope.tokens):
        run.scope_done(scope)
