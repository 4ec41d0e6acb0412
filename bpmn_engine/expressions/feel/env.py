"""Evaluation environments: a chain of name frames sharing one step budget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..limits import Scope

_MISSING = object()


class Env:
    """Names visible to an evaluation: ``frame`` first, then the parent chain."""

    __slots__ = ("budget", "frame", "parent", "types")

    def __init__(
        self,
        frame: Mapping[str, Any],
        parent: Env | None = None,
        budget: Scope | None = None,
        types: Mapping[str, Any] | None = None,
    ) -> None:
        self.frame = frame
        self.parent = parent
        self.budget: Scope = (
            budget if budget is not None else (parent.budget if parent else Scope({}))
        )
        self.types: Mapping[str, Any] | None = (
            types if types is not None else (parent.types if parent else None)
        )

    def lookup(self, name: str, default: Any = _MISSING) -> Any:
        env: Env | None = self
        while env is not None:
            frame = env.frame
            if name in frame:
                return frame[name]
            env = env.parent
        return default

    def child(self, frame: Mapping[str, Any]) -> Env:
        return Env(frame, self, self.budget, self.types)


MISSING = _MISSING
