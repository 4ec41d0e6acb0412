"""FEEL (DMN 1.5, chapter 10): the full language, on the same sandbox and limits as the
other dialects (hand-written lexer and Pratt parser, closure compiler, no eval).

Values are described in :mod:`.types`; numbers are ``Decimal`` in FEEL's 34-digit
context, so ``0.1 + 0.2 = 0.3`` holds.
"""

from .api import FeelExpression, FeelTests, compile_feel, compile_tests, evaluate_feel
from .env import Env
from .types import CTX, FeelError, Function, Range, YearsMonths
from .values import from_feel, to_feel, to_text, type_of

__all__ = [
    "CTX",
    "Env",
    "FeelError",
    "FeelExpression",
    "FeelTests",
    "Function",
    "Range",
    "YearsMonths",
    "compile_feel",
    "compile_tests",
    "evaluate_feel",
    "from_feel",
    "to_feel",
    "to_text",
    "type_of",
]
