"""Token lifecycle: the states a token passes through and the allowed transitions.

A token is a position of control. It is READY when it is about to execute its node,
WAITING while its node waits for the outside (user task, job, timer, subscription, call),
IN_SCOPE while its node (a subprocess) runs a child scope, JOINING while parked at a
converging gateway, INCIDENT when execution of its node failed and awaits a retry, and
LISTENING for the token of an event subprocess that holds its start event's subscription
(it never blocks its scope from completing).
Tokens that end are removed from the state, so there is no terminal state to store.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class TokenState(StrEnum):
    READY = "ready"
    WAITING = "waiting"
    IN_SCOPE = "in_scope"
    JOINING = "joining"
    INCIDENT = "incident"
    LISTENING = "listening"


_R, _W, _S, _J, _I, _L = (
    TokenState.READY,
    TokenState.WAITING,
    TokenState.IN_SCOPE,
    TokenState.JOINING,
    TokenState.INCIDENT,
    TokenState.LISTENING,
)

# Every state change goes through ``move``, which checks this table.
TRANSITIONS: dict[TokenState, frozenset[TokenState]] = {
    _R: frozenset({_R, _W, _S, _J, _I, _L}),
    _W: frozenset({_R, _I}),
    _S: frozenset({_R, _S, _I}),  # IN_SCOPE again: compensation runs its next step's scope
    _J: frozenset({_R}),
    _I: frozenset({_R}),
    _L: frozenset({_I}),  # a conditional start that cannot be evaluated; else withdrawn
}


class ActivityPhase(StrEnum):
    """Where an incident stopped a token: retrying repeats exactly that phase."""

    EXECUTE = "execute"  # enter -> (io input) -> execute
    COMPLETE = "complete"  # (io output) -> close boundaries -> log completion
    LEAVE = "leave"  # choose outgoing flows


def can_transition(current: str, new: str) -> bool:
    """Whether a token may move from ``current`` to ``new``."""
    return new in TRANSITIONS[TokenState(current)]


class IllegalTransitionError(RuntimeError):
    """A behaviour tried a token move ``TRANSITIONS`` forbids: an engine bug, so the
    command fails (it never becomes an incident)."""


class _Stateful(Protocol):
    id: str
    state: str


def move(token: _Stateful, new: TokenState) -> None:
    """The one way a token changes state (tokens are created READY, or restored as
    stored): checked against ``TRANSITIONS``."""
    if new not in TRANSITIONS[token.state]:  # type: ignore[index]  # a str keys a StrEnum
        raise IllegalTransitionError(
            f"Expected token {token.id} to move from {token.state} to {new}, "
            "but the token lifecycle does not allow it"
        )
    token.state = new
