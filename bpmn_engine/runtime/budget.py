"""The work one command may do: steps, wall time, tokens per instance, multi-instance
cardinality.

A command that runs out of budget stops with :class:`BudgetExceededError` in the middle
of a step; its state is then half-applied, so the caller must throw it away (the service
layer rolls the transaction back and records an incident in a fresh one). Limits that
can be checked before any work (a multi-instance cardinality) become an incident on the
element instead, through the ordinary incident path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_MAX_STEPS = 100_000
DEFAULT_MAX_SECONDS = 10.0
DEFAULT_MAX_TOKENS = 10_000
DEFAULT_MAX_CARDINALITY = 10_000


class BudgetExceededError(Exception):
    """The command used up ``what`` (``steps``, ``seconds``, ``tokens``) at ``node_id`` of
    instance ``instance_id``; the state it ran on is inconsistent and must be discarded."""

    def __init__(self, what: str, limit: float, instance_id: str, node_id: str) -> None:
        self.what, self.limit = what, limit
        self.instance_id, self.node_id = instance_id, node_id
        super().__init__(
            f"Expected the command to finish within {limit:g} {what}, but instance "
            f"{instance_id} was still running at {node_id} (a cycle or loop without a wait "
            "state?)"
        )


@dataclass
class Budget:
    """Limits of one command, shared by every ``advance`` the command makes.

    ``clock`` is a monotonic clock in seconds; the wall-time limit counts from creation.
    """

    max_steps: int = DEFAULT_MAX_STEPS
    max_seconds: float = DEFAULT_MAX_SECONDS
    max_tokens: int = DEFAULT_MAX_TOKENS
    max_cardinality: int = DEFAULT_MAX_CARDINALITY
    clock: Callable[[], float] = time.monotonic
    steps: int = 0
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.max_seconds

    def step(self, instance_id: str, node_id: str) -> None:
        """Count one executed step; raise when steps or wall time ran out."""
        self.steps += 1
        if self.steps > self.max_steps:
            raise BudgetExceededError("steps", self.max_steps, instance_id, node_id)
        if self.clock() > self.deadline:
            raise BudgetExceededError("seconds", self.max_seconds, instance_id, node_id)

    def check_tokens(self, count: int, instance_id: str, node_id: str) -> None:
        if count > self.max_tokens:
            raise BudgetExceededError("tokens", self.max_tokens, instance_id, node_id)
