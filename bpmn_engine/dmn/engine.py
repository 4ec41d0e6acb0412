"""Evaluating a decision requirements graph: required decisions first, BKMs and decision
services as functions, imported models by their import name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bpmn_engine.expressions.errors import EvalFailure, ExpressionError
from bpmn_engine.expressions.feel import Env, FeelError, Function, to_feel
from bpmn_engine.expressions.limits import Scope

from . import model as m
from .boxed import BoxedCompiler
from .errors import DecisionError
from .trace import RECORDER, DecisionTrace, TableTrace
from .typing_rules import TypePredicates, TypeRegistry

Fn = Callable[[Env], Any]


@dataclass
class Evaluation:
    """The outcome: ``value`` of the evaluated decision (or service) and a trace per
    decision evaluated on the way, required decisions first."""

    value: Any
    decisions: list[DecisionTrace] = field(default_factory=list)


class DecisionModel:
    """A parsed DMN model ready to evaluate; ``imported`` maps namespaces to models."""

    def __init__(
        self, definitions: m.Definitions, imported: Mapping[str, m.Definitions] | None = None
    ) -> None:
        self.definitions = definitions
        imported = imported or {}
        self.imports: dict[str, DecisionModel] = {}
        names = set(definitions.names)
        for imp in definitions.imports:
            target = imported.get(imp.namespace)
            if target is not None and imp.name:
                self.imports[imp.name] = DecisionModel(target, imported)
                names.update(target.names)
        ordered = tuple(sorted(names, key=len, reverse=True))
        self.types = TypeRegistry(definitions.item_definitions, ordered)
        for name, sub in self.imports.items():
            self.types.imported[name] = sub.types
        self.predicates = TypePredicates(self.types)
        self.compiler = BoxedCompiler(ordered, self.types)
        self._compiled: dict[int, Fn] = {}

    def compiled(self, expr: m.Expression | None) -> Fn:
        key = id(expr)
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compiled[key] = self.compiler.compile(expr)
        return fn

    def evaluate(
        self,
        key: str,
        variables: Mapping[str, Any] | None = None,
        by_namespace: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Evaluation:
        """Evaluate the decision or decision service ``key`` (id, else name).

        ``variables`` are the inputs, those of an imported model under its import name;
        ``by_namespace`` gives inputs by their model's namespace instead, which reaches an
        input data element however deep its model is imported (by several paths too)."""
        element = self.definitions.decision(key)
        if element is None:
            raise DecisionError(f"no decision or decision service '{key}'")
        scoped = {ns: _feel_values(values) for ns, values in (by_namespace or {}).items()}
        inputs = scoped.get(self.definitions.namespace, {}) | _feel_values(variables or {})
        run = Run(self, inputs, by_namespace=scoped)
        try:
            if isinstance(element, m.DecisionService):
                value = run.service_function(element).call(
                    *[run.inputs.get(p) for p in run.service_params(element)]
                )
            else:
                value = run.decision(element)
        except (ExpressionError, DecisionError):
            raise
        except (EvalFailure, FeelError) as exc:
            raise DecisionError(exc.reason, element.id) from None
        except RecursionError:
            raise DecisionError("evaluation nested too deeply", element.id) from None
        return Evaluation(value, run.traces)


class Run:
    """One evaluation: given inputs, cached decision values, the shared step budget."""

    def __init__(
        self,
        model: DecisionModel,
        inputs: dict[str, Any],
        budget: Scope | None = None,
        by_namespace: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.model = model
        self.inputs = inputs
        self.by_namespace = by_namespace or {}
        self.cache: dict[str, Any] = {}
        self.budget = budget or Scope(inputs)
        self.traces: list[DecisionTrace] = []

    @property
    def definitions(self) -> m.Definitions:
        return self.model.definitions

    def decision(self, decision: m.Decision) -> Any:
        key = decision.id or decision.name
        if key in self.cache:
            return self.cache[key]
        frame = self.frame(decision.requirements)
        tables: list[TableTrace] = []
        token = RECORDER.set(tables)
        try:
            fn = self.model.compiled(decision.expression)
            # The given variables stay visible below the requirements, as in engines that
            # call decisions from processes (inputs named in input expressions only).
            outer = Env(self.inputs, budget=self.budget, types=self.model.predicates)
            value = fn(outer.child(frame))
        except ExpressionError as exc:
            self.traces.append(DecisionTrace(decision.id, decision.name, None, exc.reason, tables))
            raise DecisionError(f"decision '{decision.name}': {exc}", decision.id) from None
        except DecisionError as exc:
            self.traces.append(DecisionTrace(decision.id, decision.name, None, exc.message, tables))
            raise
        finally:
            RECORDER.reset(token)
        value = self.model.types.coerce(value, decision.type_ref)
        self.cache[key] = value
        self.traces.append(DecisionTrace(decision.id, decision.name, value, None, tables))
        return value

    def _target(self, req: m.Requirement) -> tuple[Run, Any, str | None]:
        """The run owning the required element, the element, and its import name."""
        if req.namespace and req.namespace != self.definitions.namespace:
            for name, sub in self.model.imports.items():
                if sub.definitions.namespace == req.namespace:
                    given = self.inputs.get(name)
                    inputs = self.by_namespace.get(req.namespace, {}) | (
                        given if type(given) is dict else {}
                    )
                    run = Run(sub, inputs, self.budget, self.by_namespace)
                    run.traces = self.traces
                    return run, sub.definitions.element(req.href), name
            raise DecisionError(f"no import for namespace {req.namespace}")
        return self, self.definitions.element(req.href), None

    def frame(self, requirements: tuple[m.Requirement, ...]) -> dict[str, Any]:
        frame: dict[str, Any] = {}
        for req in requirements:
            run, element, prefix = self._target(req)
            if element is None:
                raise DecisionError(f"required element '{req.href}' does not exist")
            value = run.value_of(element)
            if prefix is None:
                frame.update(_output_names(element, value))
                frame[element.name] = value
            else:
                frame.setdefault(prefix, {})[element.name] = value
        return frame

    def value_of(self, element: Any) -> Any:
        if isinstance(element, m.Decision):
            return self.decision(element)
        if isinstance(element, m.InputData):
            return self.model.types.coerce(self.inputs.get(element.name), element.type_ref)
        if isinstance(element, m.BusinessKnowledgeModel):
            return self.bkm_function(element)
        if isinstance(element, m.DecisionService):
            return self.service_function(element)
        raise DecisionError("unknown requirement")

    def bkm_function(self, bkm: m.BusinessKnowledgeModel) -> Function:
        if bkm.logic is None:
            return Function(bkm.name, ((),), lambda *args: None)
        frame = self.frame(bkm.requirements)
        env = Env(frame, budget=self.budget, types=self.model.predicates)
        fn = self.model.compiled(bkm.logic)(env)
        return Function(bkm.name, fn.signatures, fn.call)

    def service_params(self, service: m.DecisionService) -> list[str]:
        names = []
        for req in (*service.input_data, *service.input_decisions):
            _, element, _ = self._target(req)
            if element is not None:
                names.append(element.name)
        return names

    def service_function(self, service: m.DecisionService) -> Function:
        params = tuple(self.service_params(service))
        output_type = self.model.types.output_type(service.type_ref)

        def call(*args: Any) -> Any:
            values = dict(zip(params, list(args) + [None] * (len(params) - len(args)), strict=True))
            run = Run(self.model, dict(self.inputs) | values, self.budget, self.by_namespace)
            run.traces = self.traces
            for req in service.input_decisions:
                _, element, _ = self._target(req)
                if element is not None:
                    run.cache[element.id or element.name] = values.get(element.name)
            results = {}
            for req in service.outputs:
                sub, element, _ = run._target(req)
                if not isinstance(element, m.Decision):
                    raise DecisionError(f"output decision '{req.href}' does not exist", service.id)
                results[element.name] = sub.decision(element)
            value = next(iter(results.values())) if len(results) == 1 else results
            return self.model.types.coerce(value, output_type)

        return Function(service.name, (params,), call)


def _feel_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: to_feel(v) for k, v in values.items()}


def _output_names(element: Any, value: Any) -> dict[str, Any]:
    """A required decision table's result under its output column names too (Camunda 7
    models refer to ``invoiceClassification`` rather than the decision's name)."""
    table = getattr(element, "expression", None)
    if not isinstance(table, m.DecisionTable):
        return {}
    names = [o.name for o in table.outputs if o.name]
    if len(table.outputs) == 1 and names:
        return {names[0]: value}
    if type(value) is dict:
        return {k: v for k, v in value.items() if k in names}
    return {}
