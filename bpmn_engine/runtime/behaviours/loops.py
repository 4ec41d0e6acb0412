"""Loop characteristics: multi-instance (parallel, sequential) and standard loops.

A looped activity runs as a *body*: the token that reached the activity opens the body
scope (``nrOf*`` counters, the output collection, ``data["loop"]`` progress) and holds the
activity's boundary subscriptions; every iteration is an *instance*: a token at the same
node inside the body scope with a local scope of its own (``loopCounter``, the element
variable, I/O inputs). An instance that completes reports to the body instead of leaving.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from bpmn_engine.bpmn.model import (
    Activity,
    MultiInstanceLoopCharacteristics,
    StandardLoopCharacteristics,
)
from bpmn_engine.runtime import effects as fx
from bpmn_engine.runtime.behaviours.subscriptions import open_boundaries
from bpmn_engine.runtime.kinds import IncidentKind
from bpmn_engine.runtime.lifecycle import ActivityPhase, TokenState, move
from bpmn_engine.runtime.run import StepIncident
from bpmn_engine.runtime.state import Scope, Token
from bpmn_engine.runtime.variables import evaluate_parameters, is_expression

if TYPE_CHECKING:
    from bpmn_engine.runtime.run import Run

COMPLETED, ACTIVE, INSTANCES = "nrOfCompletedInstances", "nrOfActiveInstances", "nrOfInstances"


class LoopBodyBehaviour(ABC):
    """Shared body/instance mechanics; subclasses decide how many instances run when."""

    def execute(self, run: Run, token: Token, node: Activity, inner: Any) -> None:
        if run.is_instance(token):
            self.start_instance(run, token, node, inner)
        else:
            self.start_body(run, token, node)

    @abstractmethod
    def start_body(self, run: Run, token: Token, node: Activity) -> None:
        """Open the body and start its first instance(s)."""

    def open_body(self, run: Run, token: Token, node: Activity, data: dict[str, Any]) -> Scope:
        """Subscribe the boundaries, open the body scope, mark the token as in scope."""
        boundaries = run.tables.boundaries.get(node.id)
        if boundaries:
            open_boundaries(run, token, node, boundaries)
        body = run.open_local_scope(token, node)
        data["slots"] = {}
        body.data["loop"] = data
        move(token, TokenState.IN_SCOPE)
        return body

    def spawn(self, run: Run, body: Scope, node: Activity, index: int) -> Token:
        """Queue instance ``index``; it opens its own scope when it executes."""
        instance = run.new_token(node.id, body.id)
        body.data["loop"]["slots"][instance.id] = index
        run.work.append(instance)
        return instance

    def start_instance(self, run: Run, token: Token, node: Activity, inner: Any) -> None:
        """Instance scope (``loopCounter``, element, I/O inputs), then the activity's work."""
        body = run.state.scopes[token.scope_id]
        data = body.data["loop"]
        index = data["slots"][token.id]
        scope = run.open_local_scope(token, node)
        values: dict[str, Any] = {"loopCounter": index}
        element = getattr(node.loop, "element_variable", None)
        if element and data.get("items") is not None:
            values[element] = data["items"][index]
        run.set_variables(scope.id, values, local=True)
        io = node.io_mapping
        if io is not None and io.inputs:
            run.set_variables(
                scope.id, evaluate_parameters(io.inputs, run.variables(token)), local=True
            )
        inner.start(run, token, node)

    def completing(self, run: Run, token: Token, node: Activity) -> None:  # noqa: B027
        """Optional completion hook (none by default): runs while the instance's scope
        still exists."""

    def leave(self, run: Run, token: Token, node: Activity) -> None:
        """An instance completed (or the body leaves, after ``body_done``)."""
        if not run.is_instance(token):
            run.leave(token, node)
            return
        body = run.state.scopes[token.scope_id]
        if run.history:
            run.record(fx.ActivityCompleted, token, node)
        run.discard(token)
        del body.data["loop"]["slots"][token.id]
        if body.data["loop"].get("done"):
            for other in list(body.tokens):
                run.cancel_token(run.state.tokens[other])
        elif self.next_instance(run, body, node):
            return
        if not body.tokens:
            self.body_done(run, run.state.tokens[body.owner_token], node)  # type: ignore[index]

    def next_instance(self, run: Run, body: Scope, node: Activity) -> bool:
        """Start the next sequential instance; False when none is due."""
        return False

    def body_done(self, run: Run, token: Token, node: Activity) -> None:
        """Every instance ended: publish the output collection, close the body, leave."""
        run.phase = ActivityPhase.COMPLETE
        body = run.state.scopes[token.child_scope]  # type: ignore[index]
        output = getattr(node.loop, "output_collection", None)
        if output:
            run.set_variables(token.scope_id, {output: body.variables.get(output)})
        if token.waits:
            run.withdraw_waits(token)
        run.drop_scope(body.id)
        token.child_scope = None
        run.state.scopes[token.scope_id].completed.append(node.id)
        move(token, TokenState.READY)
        run.guarded(token, node, run.leave, token, node)


class MultiInstanceBehaviour(LoopBodyBehaviour):
    """Multi-instance: ``loopCardinality`` or an input collection (+ element variable)
    gives the instances, all at once (parallel) or one after the other (sequential).
    ``nrOfInstances``/``nrOfActiveInstances``/``nrOfCompletedInstances`` live in the body,
    ``loopCounter`` (0-based, as Camunda 7) in each instance. The completion condition is
    checked after each instance and cancels the rest; an empty collection completes at
    once; ``outputCollection`` collects each instance's ``outputElement`` (Zeebe)."""

    def start_body(self, run: Run, token: Token, node: Activity) -> None:
        loop: MultiInstanceLoopCharacteristics = node.loop  # type: ignore[assignment]
        items, count = _instances(run, token, node, loop)
        body = self.open_body(run, token, node, {"items": items, "next": 0})
        values: dict[str, Any] = {INSTANCES: count, COMPLETED: 0, ACTIVE: 0}
        if loop.output_collection:
            values[loop.output_collection] = [None] * count
        run.set_variables(body.id, values, local=True)
        if count == 0:
            self.body_done(run, token, node)
        elif loop.is_sequential:
            self.next_instance(run, body, node)
        else:
            for index in range(count):
                self.spawn(run, body, node, index)
            body.data["loop"]["next"] = count
            run.set_variables(body.id, {ACTIVE: count}, local=True)

    def next_instance(self, run: Run, body: Scope, node: Activity) -> bool:
        data = body.data["loop"]
        index = data["next"]
        if not node.loop.is_sequential or index >= body.variables[INSTANCES]:  # type: ignore[union-attr]
            return False
        data["next"] = index + 1
        self.spawn(run, body, node, index)
        run.set_variables(body.id, {ACTIVE: 1}, local=True)
        return True

    def completing(self, run: Run, token: Token, node: Activity) -> None:
        if not run.is_instance(token):
            return
        loop: MultiInstanceLoopCharacteristics = node.loop  # type: ignore[assignment]
        body = run.state.scopes[token.scope_id]
        counters = {
            COMPLETED: body.variables[COMPLETED] + 1,
            ACTIVE: body.variables[ACTIVE] - 1,
        }
        # evaluate everything first: a failure (incident) must not count the instance twice
        variables = None
        if loop.output_collection:
            variables = run.variables(token)
            collected = list(body.variables.get(loop.output_collection) or [])
            index = body.data["loop"]["slots"][token.id]
            if loop.output_element and index < len(collected):
                collected[index] = _value(run, loop.output_element, variables)
            counters[loop.output_collection] = collected
        done = False
        if loop.completion_condition:
            view = {**(variables or run.variables(token)), **counters}
            done = bool(run.tables.expression(loop.completion_condition).evaluate(view))
        run.set_variables(body.id, counters, local=True)
        if done:
            body.data["loop"]["done"] = True


class StandardLoopBehaviour(LoopBodyBehaviour):
    """Standard loop: repeats the activity while ``loopCondition`` holds, tested before
    each iteration (``testBefore``) or after it, at most ``loopMaximum`` times. Camunda 7
    does not execute standard loops; this follows the spec. ``loopCounter`` counts
    iterations from 0."""

    def start_body(self, run: Run, token: Token, node: Activity) -> None:
        loop: StandardLoopCharacteristics = node.loop  # type: ignore[assignment]
        if loop.test_before and not self.condition(run, token, loop):
            run.complete_activity(token, node)
            return
        body = self.open_body(run, token, node, {"next": 1})
        self.spawn(run, body, node, 0)

    def condition(self, run: Run, token: Token, loop: StandardLoopCharacteristics) -> bool:
        if not loop.loop_condition:
            return True
        return bool(run.tables.expression(loop.loop_condition).evaluate(run.variables(token)))

    def next_instance(self, run: Run, body: Scope, node: Activity) -> bool:
        loop: StandardLoopCharacteristics = node.loop  # type: ignore[assignment]
        data = body.data["loop"]
        index = data["next"]
        if loop.loop_maximum is not None and index >= loop.loop_maximum:
            return False
        owner = run.state.tokens[body.owner_token]  # type: ignore[index]
        if not self.condition(run, owner, loop):
            return False
        data["next"] = index + 1
        self.spawn(run, body, node, index)
        return True


def _value(run: Run, text: str, variables: Any) -> Any:
    """An expression, or a plain variable name (Camunda/Zeebe both allow it)."""
    if is_expression(text):
        return run.tables.expression(text).evaluate(variables)
    return variables.get(text.strip())


def _instances(
    run: Run, token: Token, node: Activity, loop: MultiInstanceLoopCharacteristics
) -> tuple[list[Any] | None, int]:
    """(items of the input collection or None, number of instances)."""
    variables = run.variables(token)
    if loop.collection:
        items = _value(run, loop.collection, variables)
        if items is None:
            items = []
        if isinstance(items, dict) or not hasattr(items, "__iter__") or isinstance(items, str):
            raise StepIncident(
                IncidentKind.MULTI_INSTANCE,
                f"Expected the collection of {node.id} to be a list, but got {items!r}",
            )
        items = list(items)
        return items, _bounded(run, node, len(items))
    if loop.loop_cardinality:
        text = loop.loop_cardinality
        value = run.tables.expression(text).evaluate(variables) if is_expression(text) else text
        try:
            count = int(value)
        except (TypeError, ValueError, OverflowError):
            raise StepIncident(
                IncidentKind.MULTI_INSTANCE,
                f"Expected the loop cardinality of {node.id} to be a number, but got {value!r}",
            ) from None
        return None, _bounded(run, node, max(count, 0))
    raise StepIncident(
        IncidentKind.MULTI_INSTANCE,
        f"Expected {node.id} to have a loop cardinality or an input collection, but it has neither",
    )


def _bounded(run: Run, node: Activity, count: int) -> int:
    """``count``, or an incident when it is above the multi-instance cardinality limit
    (checked before any instance exists)."""
    limit = run.budget.max_cardinality
    if count > limit:
        raise StepIncident(
            IncidentKind.MULTI_INSTANCE,
            f"Expected {node.id} to run at most {limit} instances, but it would run {count}",
        )
    return count
