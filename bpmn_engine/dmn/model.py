"""The DMN model (DRG elements and boxed expressions), independent of the XML it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Located:
    id: str | None = None
    line: int | None = None


@dataclass(frozen=True, kw_only=True)
class LiteralExpression(Located):
    text: str
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContextEntry:
    name: str | None
    type_ref: str | None
    value: Expression | None


@dataclass(frozen=True, kw_only=True)
class Context(Located):
    entries: tuple[ContextEntry, ...]
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class ListExpression(Located):
    items: tuple[Expression, ...]
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Relation(Located):
    columns: tuple[str, ...]
    rows: tuple[tuple[Expression | None, ...], ...]
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Binding:
    name: str
    value: Expression | None


@dataclass(frozen=True, kw_only=True)
class Invocation(Located):
    callee: str
    bindings: tuple[Binding, ...]
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Parameter:
    name: str
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class FunctionDefinition(Located):
    parameters: tuple[Parameter, ...]
    body: Expression | None
    kind: str = "FEEL"
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Conditional(Located):
    condition: Expression
    then: Expression
    otherwise: Expression
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Filter(Located):
    source: Expression
    match: Expression
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Iteration(Located):
    kind: str  # "for", "some", "every"
    variable: str
    source: Expression
    body: Expression
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class TableInput:
    text: str
    type_ref: str | None = None
    label: str | None = None
    values: str | None = None


@dataclass(frozen=True, kw_only=True)
class TableOutput:
    name: str | None
    type_ref: str | None = None
    values: str | None = None
    default: str | None = None


@dataclass(frozen=True, kw_only=True)
class Rule(Located):
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    annotations: tuple[str, ...] = ()


HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")


@dataclass(frozen=True, kw_only=True)
class DecisionTable(Located):
    inputs: tuple[TableInput, ...]
    outputs: tuple[TableOutput, ...]
    rules: tuple[Rule, ...]
    hit_policy: str = "UNIQUE"
    aggregation: str | None = None
    output_label: str | None = None
    type_ref: str | None = None


Expression = (
    LiteralExpression
    | Context
    | ListExpression
    | Relation
    | Invocation
    | FunctionDefinition
    | Conditional
    | Filter
    | Iteration
    | DecisionTable
)


@dataclass(frozen=True, kw_only=True)
class Requirement:
    """A reference to another DRG element: ``namespace`` None means the same model."""

    kind: str  # "decision", "input", "knowledge"
    href: str
    namespace: str | None = None


@dataclass(frozen=True, kw_only=True)
class Decision(Located):
    name: str
    type_ref: str | None
    expression: Expression | None
    requirements: tuple[Requirement, ...] = ()


@dataclass(frozen=True, kw_only=True)
class InputData(Located):
    name: str
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class BusinessKnowledgeModel(Located):
    name: str
    logic: FunctionDefinition | None
    type_ref: str | None = None
    requirements: tuple[Requirement, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DecisionService(Located):
    name: str
    outputs: tuple[Requirement, ...]
    encapsulated: tuple[Requirement, ...]
    input_decisions: tuple[Requirement, ...]
    input_data: tuple[Requirement, ...]
    type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemDefinition(Located):
    name: str
    type_ref: str | None = None
    components: tuple[ItemDefinition, ...] = ()
    allowed_values: str | None = None
    is_collection: bool = False
    type_language: str | None = None
    function_type: bool = False
    output_type_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Import:
    name: str
    namespace: str
    location: str | None = None
    import_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class Definitions(Located):
    name: str
    namespace: str
    decisions: tuple[Decision, ...] = ()
    inputs: tuple[InputData, ...] = ()
    knowledge: tuple[BusinessKnowledgeModel, ...] = ()
    services: tuple[DecisionService, ...] = ()
    item_definitions: tuple[ItemDefinition, ...] = ()
    imports: tuple[Import, ...] = ()
    names: tuple[str, ...] = field(default=())

    def element(
        self, element_id: str
    ) -> Decision | InputData | BusinessKnowledgeModel | DecisionService | None:
        for group in (self.decisions, self.inputs, self.knowledge, self.services):
            for item in group:
                if item.id == element_id:
                    return item
        return None

    def decision(self, key: str) -> Decision | DecisionService | None:
        """A decision or decision service by id, or by name when no id matches."""
        for group in (self.decisions, self.services):
            for item in group:
                if item.id == key:
                    return item
        for group in (self.decisions, self.services):
            for item in group:
                if item.name == key:
                    return item
        return None
