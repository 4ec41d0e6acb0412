"""Variable scoping (Camunda rules) and evaluation of expressions and I/O parameters.

Setting a variable writes to the nearest scope (from the given one upwards) that already
holds the name, else to the root scope; ``local`` writes to the given scope itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bpmn_engine.bpmn.model import Parameter
from bpmn_engine.expressions import (
    ExpressionError,
    compile_expression,
    compile_script,
    is_expression,
)
from bpmn_engine.runtime.state import ROOT, InstanceState, Scope

EVALUATION_ERRORS: tuple[type[BaseException], ...] = (
    ExpressionError,
    TypeError,
    ValueError,
    KeyError,
    ArithmeticError,
)

__all__ = [
    "EVALUATION_ERRORS",
    "ExpressionError",
    "compile_expression",
    "compile_script",
    "is_expression",
]


def visible(state: InstanceState, scope_id: str) -> Mapping[str, Any]:
    """Variables visible from a scope; the root's own dict when the scope is the root
    (read only: callers must not mutate it)."""
    scopes = state.scopes
    scope = scopes[scope_id]
    if scope.parent_id is None:
        return scope.variables
    return state.visible_variables(scope_id)


def target_scope(scopes: Mapping[str, Scope], scope_id: str, name: str) -> Scope:
    """The scope a non-local write of ``name`` from ``scope_id`` lands in."""
    scope: Scope | None = scopes[scope_id]
    while scope is not None:
        if name in scope.variables:
            return scope
        scope = scopes[scope.parent_id] if scope.parent_id is not None else None
    return scopes[ROOT]


def write_variables(
    state: InstanceState,
    changes: dict[str, dict[str, Any]],
    scope_id: str,
    values: Mapping[str, Any],
    local: bool = False,
    previous: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Write ``values`` from ``scope_id`` and record them in ``changes`` (per scope);
    ``previous`` keeps, per scope, the value each name had before its first write."""
    scopes = state.scopes
    for name, value in values.items():
        scope = scopes[scope_id] if local else target_scope(scopes, scope_id, name)
        variables = scope.variables
        per_scope = changes.get(scope.id)
        if per_scope is None:
            per_scope = changes[scope.id] = {}
        if previous is not None and name not in per_scope and name in variables:
            previous.setdefault(scope.id, {})[name] = variables[name]
        variables[name] = value
        per_scope[name] = value


def evaluate(text: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate an expression text (any dialect) against ``variables``."""
    return compile_expression(text).evaluate(variables)


def value_of(text: str | None, variables: Mapping[str, Any]) -> Any:
    """An attribute that may be an expression: evaluated if it is one, else the literal."""
    if text is None:
        return None
    if is_expression(text):
        return evaluate(text, variables)
    return text


def evaluate_parameter(param: Parameter, variables: Mapping[str, Any]) -> Any:
    """The value of one ``camunda:inputParameter``/``outputParameter`` (or Zeebe mapping)."""
    if param.kind == "literal":
        return param.value
    if param.kind == "list":
        return [evaluate_parameter(item, variables) for item in param.items]
    if param.kind == "map":
        return {key: evaluate_parameter(p, variables) for key, p in param.entries.items()}
    if param.kind == "script":
        text = param.value or ""
        return compile_expression(text).evaluate(variables)
    if param.value is None:
        return None
    if is_expression(param.value):
        return evaluate(param.value, variables)
    return param.value


def evaluate_parameters(
    params: tuple[Parameter, ...],
    variables: Mapping[str, Any],
    outer: Callable[[], Mapping[str, Any]] | None = None,
) -> dict:
    """All parameters in order; later ones see nothing of earlier ones (Camunda).

    A Zeebe nested target (``order.total``) writes into a copy of its context, creating the
    missing levels (a non-context value is replaced); it merges with an earlier mapping to the
    same root and, for outputs (``outer``: the variables of the scope written to), with the
    existing variable, as Zeebe does.
    """
    values: dict[str, Any] = {}
    for p in params:
        if p.path:
            root = p.path[0]
            if root in values:
                base = values[root]
            else:
                base = outer().get(root) if outer is not None else None
            values[root] = with_path(base, p.path[1:], evaluate_parameter(p, variables))
        else:
            values[p.name] = evaluate_parameter(p, variables)
    return values


def with_path(base: Any, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of context ``base`` (a new one if it is none) with ``value`` at ``path``."""
    context = dict(base) if isinstance(base, Mapping) else {}
    key = path[0]
    context[key] = value if len(path) == 1 else with_path(context.get(key), path[1:], value)
    return context
