"""Entry points: ``parse_bpmn`` (XML -> model) and ``check_bpmn`` (parse + validate)."""

from __future__ import annotations

import os

from lxml import etree

from bpmn_engine.bpmn.issues import BpmnParseError, ValidationIssue, ValidationReport, error
from bpmn_engine.bpmn.model import Definitions
from bpmn_engine.bpmn.reading import ReadContext
from bpmn_engine.bpmn.root_readers import is_definitions, read_definitions
from bpmn_engine.bpmn.validation import validate_definitions
from bpmn_engine.bpmn.xml_reader import DEFAULT_LIMITS, ParserLimits, load_xml, read_source

Source = bytes | str | os.PathLike[str]


def parse_document(
    source: Source, *, limits: ParserLimits = DEFAULT_LIMITS
) -> tuple[Definitions, tuple[ValidationIssue, ...]]:
    """The model plus the non-fatal issues noticed while reading (unknown or misplaced
    elements, foreign elements, unresolvable prefixes). Raises ``BpmnParseError``."""
    root = load_xml(read_source(source, limits), limits)
    if not is_definitions(root):
        tag = root.tag if isinstance(root.tag, str) else "?"
        raise BpmnParseError(
            [
                error(
                    "not-bpmn",
                    "Expected the root element to be BPMN 2.0 <definitions> (namespace "
                    f"http://www.omg.org/spec/BPMN/20100524/MODEL), but it is {tag}",
                    root.get("id"),
                    root.sourceline,
                )
            ]
        )
    ctx = ReadContext(root)
    try:
        definitions = read_definitions(root, ctx)
    except RecursionError:
        raise BpmnParseError(
            [error("document-too-deep", "Expected a less deeply nested diagram")]
        ) from None
    if ctx.fatal:
        raise BpmnParseError(ctx.fatal)
    return definitions, tuple(ctx.issues)


def parse_bpmn(source: Source, *, limits: ParserLimits = DEFAULT_LIMITS) -> Definitions:
    """Parse BPMN 2.0 XML (bytes, XML text, or a file path) into the immutable model.

    Raises ``BpmnParseError`` when no model can be built: not XML, hostile XML (DOCTYPE,
    entities), over the size/depth limits, root not ``definitions``, duplicate ids.
    """
    return parse_document(source, limits=limits)[0]


def check_bpmn(source: Source, *, limits: ParserLimits = DEFAULT_LIMITS) -> ValidationReport:
    """Parse and validate; every problem is reported, nothing is raised for bad input."""
    try:
        definitions, read_issues = parse_document(source, limits=limits)
    except BpmnParseError as exc:
        return ValidationReport(definitions=None, issues=exc.issues)
    except etree.LxmlError as exc:  # defensive: lxml errors not covered above
        return ValidationReport(
            definitions=None, issues=(error("not-xml", f"Expected valid XML, but {exc}"),)
        )
    issues = read_issues + validate_definitions(definitions)
    return ValidationReport(definitions=definitions, issues=_sorted(issues))


def _sorted(issues: tuple[ValidationIssue, ...]) -> tuple[ValidationIssue, ...]:
    return tuple(sorted(issues, key=lambda i: (i.line or 0, i.element_id or "", i.code)))
