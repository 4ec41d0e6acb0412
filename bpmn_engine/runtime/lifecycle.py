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

TRANSITIONS: dict[TokenState, frozenset[TokenState]] = {
    _R: frozenset({_R, _W, _S, _J, _I, _L}),
    _W: frozenset({_R, _I}),
    _S: frozenset({_R, _I}),
    _J: frozenset({_R}),
    _I: frozenset({_R}),
    _L: frozenset(),  # listeners end by being withdrawn
}


class ActivityPhase(StrEnum):
    """Where an incident stopped a token: retrying repeats exactly that phase."""

    EXECUTE = "execute"  # enter -> (io input) -> execute
    COMPLETE = "complete"  # (io output) -> close boundaries -> log completion
    LEAVE = "leave"  # choose outgoing flows


def can_transition(current: str, new: str) -> bool:
    """Whether a token may move from ``current`` to ``new``."""
    return new in TRANSITIONS[TokenState(current)]
