"""FEEL built-in functions (DMN 1.5, 10.3.4), registered in :data:`BUILTINS`."""

from . import contexts, lists, numbers, ranges, strings, temporal  # noqa: F401  (registration)
from .registry import BUILTINS

__all__ = ["BUILTINS"]
