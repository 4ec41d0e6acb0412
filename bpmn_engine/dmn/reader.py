"""Read DMN 1.1-1.5 XML (any of the OMG namespaces) into :mod:`.model` objects.

The document goes through the same hardened XML loader as BPMN diagrams; problems are
reported as :class:`DmnParseError` with line numbers and element ids.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from lxml import etree

from bpmn_engine.bpmn.issues import BpmnParseError, ValidationIssue, error
from bpmn_engine.bpmn.xml_reader import DEFAULT_LIMITS, load_xml, read_source

from . import model as m

_NAME_CHARS = re.compile(r"[^\w?]")


class DmnParseError(Exception):
    """The document is not a valid DMN model; ``issues`` says where and why."""

    def __init__(self, issues: list[ValidationIssue] | tuple[ValidationIssue, ...]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(str(issue) for issue in self.issues))


def local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if local(c) == name]


def child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if local(c) == name:
            return c
    return None


def text_of(el: etree._Element | None, name: str = "text") -> str | None:
    if el is None:
        return None
    node = child(el, name)
    return None if node is None else (node.text or "")


_EXPRESSIONS = {
    "literalExpression", "context", "list", "relation", "invocation", "functionDefinition",
    "decisionTable", "conditional", "filter", "for", "some", "every",
}  # fmt: skip


class Reader:
    def __init__(self) -> None:
        self.issues: list[ValidationIssue] = []
        self.names: set[str] = set()

    def problem(self, el: etree._Element, code: str, message: str) -> None:
        self.issues.append(error(code, message, el.get("id"), el.sourceline))

    def name(self, el: etree._Element) -> str:
        value = el.get("name")
        if not value:
            self.problem(el, "missing-name", f"Expected a name on <{local(el)}>")
            return el.get("id") or "?"
        value = " ".join(value.split())
        self.names.add(value)
        return value

    # -- boxed expressions -------------------------------------------------------------
    def expression_in(self, el: etree._Element | None) -> m.Expression | None:
        if el is None:
            return None
        for c in el:
            if local(c) in _EXPRESSIONS:
                return self.expression(c)
        return None

    def expression(self, el: etree._Element) -> m.Expression | None:
        kind = local(el)
        loc = {"id": el.get("id"), "line": el.sourceline}
        type_ref = el.get("typeRef")
        if kind == "literalExpression":
            lang = el.get("expressionLanguage")
            if lang and "feel" not in lang.lower() and "FEEL" not in lang:
                self.problem(el, "unsupported-language", f"Expected FEEL, but got {lang}")
            return m.LiteralExpression(text=text_of(el) or "", type_ref=type_ref, **loc)
        if kind == "context":
            entries = []
            for entry in children(el, "contextEntry"):
                var = child(entry, "variable")
                name = None if var is None else self.name(var)
                entries.append(
                    m.ContextEntry(
                        name=name,
                        type_ref=None if var is None else var.get("typeRef"),
                        value=self.expression_in(entry),
                    )
                )
            return m.Context(entries=tuple(entries), type_ref=type_ref, **loc)
        if kind == "list":
            items = [self.expression(c) for c in el if local(c) in _EXPRESSIONS]
            return m.ListExpression(items=tuple(i for i in items if i), type_ref=type_ref, **loc)
        if kind == "relation":
            columns = tuple(self.name(c) for c in children(el, "column"))
            rows = []
            for row in children(el, "row"):
                rows.append(tuple(self.expression(c) for c in row if local(c) in _EXPRESSIONS))
            return m.Relation(columns=columns, rows=tuple(rows), type_ref=type_ref, **loc)
        if kind == "invocation":
            callee = self.expression_in(el)
            bindings = []
            for binding in children(el, "binding"):
                param = child(binding, "parameter")
                name = self.name(param) if param is not None else "?"
                bindings.append(m.Binding(name=name, value=self.expression_in(binding)))
            text = callee.text if isinstance(callee, m.LiteralExpression) else ""
            return m.Invocation(
                callee=text.strip(), bindings=tuple(bindings), type_ref=type_ref, **loc
            )
        if kind == "functionDefinition":
            return self.function(el)
        if kind == "decisionTable":
            return self.table(el)
        if kind == "conditional":
            parts = [self.expression_in(child(el, p)) for p in ("if", "then", "else")]
            condition, then, otherwise = parts
            if condition is None or then is None or otherwise is None:
                self.problem(el, "incomplete-conditional", "Expected if, then and else")
                return None
            return m.Conditional(
                condition=condition, then=then, otherwise=otherwise, type_ref=type_ref, **loc
            )
        if kind == "filter":
            source = self.expression_in(child(el, "in"))
            match = self.expression_in(child(el, "match"))
            if source is None or match is None:
                self.problem(el, "incomplete-filter", "Expected in and match")
                return None
            return m.Filter(source=source, match=match, type_ref=type_ref, **loc)
        if kind in ("for", "some", "every"):
            source = self.expression_in(child(el, "in"))
            body_tag = "return" if kind == "for" else "satisfies"
            body = self.expression_in(child(el, body_tag))
            variable = el.get("iteratorVariable") or ""
            self.names.add(variable)
            if source is None or body is None or not variable:
                self.problem(el, "incomplete-iterator", f"Expected in and {body_tag}")
                return None
            return m.Iteration(
                kind=kind, variable=variable, source=source, body=body, type_ref=type_ref, **loc
            )
        return None

    def function(self, el: etree._Element) -> m.FunctionDefinition:
        params = []
        for p in children(el, "formalParameter"):
            params.append(m.Parameter(name=self.name(p), type_ref=p.get("typeRef")))
        return m.FunctionDefinition(
            parameters=tuple(params),
            body=self.expression_in(el),
            kind=el.get("kind") or "FEEL",
            type_ref=el.get("typeRef"),
            id=el.get("id"),
            line=el.sourceline,
        )

    def table(self, el: etree._Element) -> m.DecisionTable:
        inputs = []
        for i in children(el, "input"):
            expr = child(i, "inputExpression")
            inputs.append(
                m.TableInput(
                    text=text_of(expr) or "" if expr is not None else "",
                    type_ref=None if expr is None else expr.get("typeRef"),
                    label=i.get("label"),
                    values=text_of(child(i, "inputValues")),
                )
            )
        outputs = []
        for o in children(el, "output"):
            outputs.append(
                m.TableOutput(
                    name=o.get("name"),
                    type_ref=o.get("typeRef"),
                    values=text_of(child(o, "outputValues")),
                    default=text_of(child(o, "defaultOutputEntry")),
                )
            )
        rules = []
        for r in children(el, "rule"):
            ins = tuple(text_of(e) or "" for e in children(r, "inputEntry"))
            outs = tuple(text_of(e) or "" for e in children(r, "outputEntry"))
            if len(ins) != len(inputs) or len(outs) != len(outputs):
                self.problem(r, "rule-shape", "Expected one entry per input and output column")
            notes = tuple(text_of(e) or "" for e in children(r, "annotationEntry"))
            rules.append(
                m.Rule(
                    inputs=ins, outputs=outs, annotations=notes, id=r.get("id"), line=r.sourceline
                )
            )
        hit = (el.get("hitPolicy") or "UNIQUE").replace("_", " ")
        if hit not in m.HIT_POLICIES:
            self.problem(el, "hit-policy", f"Expected a hit policy of {m.HIT_POLICIES}, got {hit}")
        aggregation = el.get("aggregation")
        if aggregation is not None and aggregation not in m.AGGREGATIONS:
            self.problem(el, "aggregation", f"Expected an aggregation of {m.AGGREGATIONS}")
        if not outputs:
            self.problem(el, "no-output", "Expected at least one output column")
        return m.DecisionTable(
            inputs=tuple(inputs),
            outputs=tuple(outputs),
            rules=tuple(rules),
            hit_policy=hit,
            aggregation=aggregation,
            output_label=el.get("outputLabel"),
            type_ref=el.get("typeRef"),
            id=el.get("id"),
            line=el.sourceline,
        )

    # -- DRG elements ------------------------------------------------------------------
    def requirement(self, el: etree._Element, kind: str) -> m.Requirement | None:
        href = el.get("href") or ""
        namespace, _, target = href.partition("#")
        if not target:
            self.problem(el, "bad-href", f"Expected an href like '#id', got {href!r}")
            return None
        return m.Requirement(kind=kind, href=target, namespace=namespace or None)

    def requirements(self, el: etree._Element) -> tuple[m.Requirement, ...]:
        found = []
        for req in children(el, "informationRequirement"):
            for tag, kind in (("requiredDecision", "decision"), ("requiredInput", "input")):
                target = child(req, tag)
                if target is not None and (r := self.requirement(target, kind)):
                    found.append(r)
        for req in children(el, "knowledgeRequirement"):
            target = child(req, "requiredKnowledge")
            if target is not None and (r := self.requirement(target, "knowledge")):
                found.append(r)
        return tuple(found)

    def refs(self, el: etree._Element, tag: str, kind: str) -> tuple[m.Requirement, ...]:
        return tuple(r for c in children(el, tag) if (r := self.requirement(c, kind)))

    def item_definition(self, el: etree._Element) -> m.ItemDefinition:
        function_item = child(el, "functionItem")
        return m.ItemDefinition(
            name=self.name(el),
            type_ref=text_of(el, "typeRef"),
            components=tuple(self.item_definition(c) for c in children(el, "itemComponent")),
            allowed_values=text_of(child(el, "allowedValues")),
            is_collection=el.get("isCollection") == "true",
            type_language=el.get("typeLanguage"),
            function_type=function_item is not None,
            output_type_ref=None if function_item is None else function_item.get("outputTypeRef"),
            id=el.get("id"),
            line=el.sourceline,
        )

    def definitions(self, root: etree._Element) -> m.Definitions:
        if local(root) != "definitions":
            self.problem(root, "not-dmn", f"Expected <definitions>, got <{local(root)}>")
            raise DmnParseError(self.issues)
        decisions, inputs, knowledge, services = [], [], [], []
        for el in root:
            kind = local(el)
            loc = {"id": el.get("id"), "line": el.sourceline}
            if kind == "decision":
                var = child(el, "variable")
                decisions.append(
                    m.Decision(
                        name=self.name(el),
                        type_ref=None if var is None else var.get("typeRef"),
                        expression=self.expression_in(el),
                        requirements=self.requirements(el),
                        **loc,
                    )
                )
            elif kind == "inputData":
                var = child(el, "variable")
                inputs.append(
                    m.InputData(
                        name=self.name(el),
                        type_ref=None if var is None else var.get("typeRef"),
                        **loc,
                    )
                )
            elif kind == "businessKnowledgeModel":
                logic = child(el, "encapsulatedLogic")
                var = child(el, "variable")
                knowledge.append(
                    m.BusinessKnowledgeModel(
                        name=self.name(el),
                        logic=None if logic is None else self.function(logic),
                        type_ref=None if var is None else var.get("typeRef"),
                        requirements=self.requirements(el),
                        **loc,
                    )
                )
            elif kind == "decisionService":
                var = child(el, "variable")
                services.append(
                    m.DecisionService(
                        name=self.name(el),
                        type_ref=None if var is None else var.get("typeRef"),
                        outputs=self.refs(el, "outputDecision", "decision"),
                        encapsulated=self.refs(el, "encapsulatedDecision", "decision"),
                        input_decisions=self.refs(el, "inputDecision", "decision"),
                        input_data=self.refs(el, "inputData", "input"),
                        **loc,
                    )
                )
        items = tuple(self.item_definition(el) for el in children(root, "itemDefinition"))
        imports = tuple(
            m.Import(
                name=el.get("name") or "",
                namespace=el.get("namespace") or "",
                location=el.get("locationURI"),
                import_type=el.get("importType"),
            )
            for el in children(root, "import")
        )
        self.names.update(i.name for i in imports if i.name)
        return m.Definitions(
            name=root.get("name") or "",
            namespace=root.get("namespace") or "",
            id=root.get("id"),
            line=root.sourceline,
            decisions=tuple(decisions),
            inputs=tuple(inputs),
            knowledge=tuple(knowledge),
            services=tuple(services),
            item_definitions=items,
            imports=imports,
            names=tuple(
                sorted((n for n in self.names if _NAME_CHARS.search(n)), key=len, reverse=True)
            ),
        )


def parse_dmn(source: bytes | str | os.PathLike[str]) -> m.Definitions:
    """Parse a DMN document (bytes, XML text or a file path) into a model."""
    try:
        root = load_xml(read_source(source, DEFAULT_LIMITS), DEFAULT_LIMITS)
    except BpmnParseError as exc:  # the shared XML reader speaks of BPMN documents
        raise DmnParseError(
            [
                replace(i, message=i.message.replace("BPMN document", "DMN document"))
                for i in exc.issues
            ]
        ) from None
    reader = Reader()
    definitions = reader.definitions(root)
    if reader.issues:
        raise DmnParseError(reader.issues)
    return definitions
