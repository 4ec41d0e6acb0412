"""Syntax checks delegated to sibling modules: timers (``bpmn_engine.bpmn.timers``) and
expressions (``bpmn_engine.expressions``, optional until that package exports
``compile_expression``)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable

from bpmn_engine.bpmn.model import TimerKind
from bpmn_engine.bpmn.timers import TimerDefinitionError, is_timer_expression, parse_timer

SUPPORTED_SCRIPT_FORMATS = ("python", "feel", "juel", "procession")
_FORMAT_ALIASES = {"text/x-python": "python", "text/python": "python", "py": "python"}


def timer_error(kind: TimerKind, text: str) -> str | None:
    """Why the timer text does not parse, or None (expressions are checked at run time)."""
    if is_timer_expression(text):
        return None
    text = unquoted(text)
    try:
        parse_timer(kind, text)
    except TimerDefinitionError as exc:
        return str(exc)
    except (ValueError, OverflowError) as exc:  # defensive: report, never crash validation
        return str(exc)
    return None


def unquoted(text: str) -> str:
    """A timer written as a string literal (``"PT5M"``, SpiffWorkflow style) -> its value."""
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "\"'":
        return stripped[1:-1]
    return text


@functools.cache
def _expression_compiler() -> tuple[Callable[[str], object], type[Exception]] | None:
    """``(compile_expression, ExpressionSyntaxError)`` once the expressions package has
    them; None before (the hook then accepts every expression)."""
    try:
        module = importlib.import_module("bpmn_engine.expressions")
    except ImportError:
        return None
    compile_expression = getattr(module, "compile_expression", None)
    syntax_error = getattr(module, "ExpressionSyntaxError", None)
    if compile_expression is None or syntax_error is None:
        return None
    return compile_expression, syntax_error


def expression_error(text: str) -> str | None:
    """The syntax error of an expression (condition, loop condition ...), or None."""
    compiler = _expression_compiler()
    if compiler is None:
        return None
    compile_expression, syntax_error = compiler
    try:
        compile_expression(text)
    except syntax_error as exc:
        return str(getattr(exc, "reason", exc))
    except Exception:  # only syntax errors block deployment
        return None
    return None


def normalized_script_format(script_format: str | None) -> str | None:
    """``text/x-python`` -> ``python``; None stays None (our own expression language)."""
    if script_format is None or not script_format.strip():
        return None
    value = script_format.strip().lower()
    return _FORMAT_ALIASES.get(value, value)


def is_supported_script_format(script_format: str | None) -> bool:
    value = normalized_script_format(script_format)
    return value is None or value in SUPPORTED_SCRIPT_FORMATS
