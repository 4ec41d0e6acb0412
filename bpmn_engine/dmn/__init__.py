"""DMN 1.1-1.5 decisions: the model (:mod:`.model`), its reader (:mod:`.reader`) and the
evaluator (:mod:`.engine`). Pure Python: FEEL comes from ``bpmn_engine.expressions.feel``.

    model = DecisionModel(parse_dmn(xml))
    model.evaluate("approver", {"amount": 1200}).value
"""

from .engine import DecisionModel, Evaluation
from .errors import DecisionError
from .reader import DmnParseError, parse_dmn

__all__ = ["DecisionError", "DecisionModel", "DmnParseError", "Evaluation", "parse_dmn"]
