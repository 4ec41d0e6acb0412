"""BPMN 2.0: the immutable model, the hardened parser and the validator."""

from bpmn_engine.bpmn.issues import BpmnParseError, ValidationIssue, ValidationReport
from bpmn_engine.bpmn.parser import check_bpmn, parse_bpmn
from bpmn_engine.bpmn.validation import validate_definitions
from bpmn_engine.bpmn.walk import iter_model_elements
from bpmn_engine.bpmn.xml_reader import DEFAULT_LIMITS, ParserLimits

__all__ = [
    "DEFAULT_LIMITS",
    "BpmnParseError",
    "ParserLimits",
    "ValidationIssue",
    "ValidationReport",
    "check_bpmn",
    "iter_model_elements",
    "parse_bpmn",
    "validate_definitions",
]
