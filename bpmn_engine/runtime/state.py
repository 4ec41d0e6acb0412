"""The plain-value state of one process instance.

``advance`` mutates an ``InstanceState`` in place (no copies on the hot path); copy with
``InstanceState.from_dict(state.to_dict())`` if the old state must survive. ``to_dict``
gives JSON-safe values (provided variables are JSON values); ``from_dict`` restores it.
Ids are deterministic: ``t-<n>`` tokens, ``s-<n>`` scopes, ``w-<n>`` waits, ``i-<n>``
incidents; the root scope id is ``"root"``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from bpmn_engine.bpmn.model import Process

ROOT = "root"


class Token:
    """A position of control at ``node_id`` in scope ``scope_id``.

    ``via`` is the flow it arrived by (joins count flows), ``waits`` the ids of the waits it
    owns (its own and its boundary subscriptions), ``child_scope`` the scope its node opened
    (subprocess or local I/O scope).
    """

    __slots__ = ("child_scope", "id", "incident_id", "node_id", "scope_id", "state", "via", "waits")

    def __init__(
        self, id: str, node_id: str, scope_id: str, state: str = "ready", via: str | None = None
    ) -> None:
        self.id = id
        self.node_id = node_id
        self.scope_id = scope_id
        self.state = state
        self.via = via
        self.waits: list[str] = []
        self.child_scope: str | None = None
        self.incident_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "node_id": self.node_id,
            "scope_id": self.scope_id,
            "state": str(self.state),
            "via": self.via,
            "waits": list(self.waits),
            "child_scope": self.child_scope,
            "incident_id": self.incident_id,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Token:
        token = cls(d["id"], d["node_id"], d["scope_id"], d["state"], d.get("via"))
        token.waits = list(d.get("waits", ()))
        token.child_scope = d.get("child_scope")
        token.incident_id = d.get("incident_id")
        return token


class Scope:
    """Owns variables and tokens. ``owner_token`` is the token of the activity that opened
    it (None for the root); ``completed`` logs completed activities in completion order
    (kept for compensation); ``local`` marks an activity's I/O-mapping scope; ``data`` holds
    behaviour-private JSON values (a loop body's progress, the compensation log, the
    compensation steps still to run)."""

    __slots__ = (
        "completed",
        "data",
        "id",
        "local",
        "node_id",
        "owner_token",
        "parent_id",
        "tokens",
        "variables",
    )

    def __init__(
        self,
        id: str,
        parent_id: str | None,
        node_id: str,
        owner_token: str | None = None,
        local: bool = False,
    ) -> None:
        self.id = id
        self.parent_id = parent_id
        self.node_id = node_id
        self.owner_token = owner_token
        self.local = local
        self.variables: dict[str, Any] = {}
        self.tokens: dict[str, None] = {}
        self.completed: list[str] = []
        self.data: dict[str, Any] = {}

    def to_dict(self, *, shallow: bool = False, lists: bool = True) -> dict[str, Any]:
        """A JSON-safe copy; ``shallow`` shares ``data`` (for encoding right away);
        ``lists=False`` leaves out the token list and the completion log, the two that
        grow with the scope's work (for a store that keeps them elsewhere)."""
        d: dict[str, Any] = {
            "id": self.id,
            "parent_id": self.parent_id,
            "node_id": self.node_id,
            "owner_token": self.owner_token,
            "local": self.local,
            "variables": dict(self.variables),
        }
        if lists:
            d["tokens"] = list(self.tokens)
            d["completed"] = list(self.completed)
        d["data"] = (self.data if shallow else copy.deepcopy(self.data)) if self.data else {}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, fresh: bool = False) -> Scope:
        """``fresh``: ``d`` was just decoded and is not used again, so its ``data`` is
        taken as it is instead of copied deeply."""
        scope = cls(
            d["id"], d.get("parent_id"), d["node_id"], d.get("owner_token"), d.get("local", False)
        )
        scope.variables = dict(d.get("variables", {}))
        scope.tokens = dict.fromkeys(d.get("tokens", ()))
        scope.completed = list(d.get("completed", ()))
        data = d.get("data")
        scope.data = (data if fresh else copy.deepcopy(data)) if data else {}
        return scope


class Wait:
    """A point where the instance waits for the outside, ended by a trigger naming ``id``.

    ``kind``: user_task, job, timer, message, signal, conditional, call_activity. ``node_id`` is the
    node that waits (a boundary or catch event for attached waits), ``owner`` the node whose
    behaviour handles the trigger (the boundary event, or the event-based gateway).
    """

    __slots__ = ("data", "id", "kind", "node_id", "owner", "scope_id", "token_id")

    def __init__(
        self,
        id: str,
        kind: str,
        node_id: str,
        token_id: str,
        scope_id: str,
        owner: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.id = id
        self.kind = kind
        self.node_id = node_id
        self.token_id = token_id
        self.scope_id = scope_id
        self.owner = owner
        self.data: dict[str, Any] = data if data is not None else {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "node_id": self.node_id,
            "token_id": self.token_id,
            "scope_id": self.scope_id,
            "owner": self.owner,
            "data": dict(self.data),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Wait:
        return cls(
            d["id"],
            d["kind"],
            d["node_id"],
            d["token_id"],
            d["scope_id"],
            d["owner"],
            dict(d.get("data", {})),
        )


class Incident:
    """An open incident: the token stopped at ``node_id`` in ``phase`` (execute/leave)."""

    __slots__ = ("id", "kind", "message", "node_id", "phase", "token_id")

    def __init__(
        self, id: str, node_id: str, token_id: str, kind: str, message: str, phase: str
    ) -> None:
        self.id = id
        self.node_id = node_id
        self.token_id = token_id
        self.kind = kind
        self.message = message
        self.phase = phase

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "node_id": self.node_id,
            "token_id": self.token_id,
            "kind": self.kind,
            "message": self.message,
            "phase": self.phase,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Incident:
        return cls(d["id"], d["node_id"], d["token_id"], d["kind"], d["message"], d["phase"])


class Tracked(dict[str, Any]):
    """A dict that notes every key whose value it hands out, sets or removes in
    ``touched``: a superset of the entries a step changed, so a store can write only
    those. Iterating values or items notes every key (a scan touches everything)."""

    __slots__ = ("touched",)

    def __init__(self, data: dict[str, Any], touched: set[str]) -> None:
        super().__init__(data)
        self.touched = touched

    def __getitem__(self, key: str) -> Any:
        self.touched.add(key)
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        self.touched.add(key)
        return dict.get(self, key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.touched.add(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        self.touched.add(key)
        dict.__delitem__(self, key)

    def pop(self, key: str, *default: Any) -> Any:
        self.touched.add(key)
        return dict.pop(self, key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.touched.add(key)
        return dict.setdefault(self, key, default)

    def values(self) -> Any:
        self.touched.update(dict.keys(self))
        return dict.values(self)

    def items(self) -> Any:
        self.touched.update(dict.keys(self))
        return dict.items(self)

    def popitem(self) -> Any:
        key, value = dict.popitem(self)
        self.touched.add(key)
        return key, value

    def clear(self) -> None:
        self.touched.update(dict.keys(self))
        dict.clear(self)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value


PART_KINDS = ("tokens", "scopes", "waits", "incidents")
"""The collections of an ``InstanceState`` whose entries a store may keep apart."""


class InstanceState:
    """Everything about one instance: tokens, scopes, waits, incidents, join buffers.

    ``joins`` maps ``"<scope id>/<gateway id>"`` to the tokens parked per incoming flow
    (in arrival order). ``status``: active, completed, terminated, cancelled.
    """

    def __init__(self, instance_id: str, process_id: str, business_key: str | None = None) -> None:
        self.instance_id = instance_id
        self.process_id = process_id
        self.business_key = business_key
        self.status = "active"
        self.started_at: str | None = None
        self.ended_at: str | None = None
        self.tokens: dict[str, Token] = {}
        self.scopes: dict[str, Scope] = {ROOT: Scope(ROOT, None, process_id)}
        self.waits: dict[str, Wait] = {}
        self.incidents: dict[str, Incident] = {}
        self.joins: dict[str, dict[str, list[str]]] = {}
        self.counters: dict[str, int] = {}

    # ------------------------------------------------------------------ queries

    @property
    def root(self) -> Scope:
        return self.scopes[ROOT]

    @property
    def variables(self) -> dict[str, Any]:
        """The root scope's variables (the instance's process variables)."""
        return self.scopes[ROOT].variables

    @property
    def completed_activities(self) -> list[str]:
        """Activities completed in the root scope, in completion order."""
        return self.scopes[ROOT].completed

    def visible_variables(self, scope_id: str = ROOT) -> dict[str, Any]:
        """A fresh dict of every variable visible from ``scope_id`` (inner scopes win)."""
        chain = []
        scope: Scope | None = self.scopes[scope_id]
        while scope is not None:
            chain.append(scope.variables)
            scope = self.scopes.get(scope.parent_id) if scope.parent_id else None
        merged: dict[str, Any] = {}
        for variables in reversed(chain):
            merged.update(variables)
        return merged

    def open_waits(self, kind: str | None = None) -> list[Wait]:
        return [w for w in self.waits.values() if kind is None or w.kind == kind]

    def track(self) -> dict[str, set[str]]:
        """Note from now on which tokens, scopes, waits and incidents are touched; returns
        the sets of touched ids per collection (``PART_KINDS``), to be cleared by the
        caller once it has written them."""
        touched: dict[str, set[str]] = {}
        for kind in PART_KINDS:
            current = getattr(self, kind)
            if isinstance(current, Tracked):
                touched[kind] = current.touched
            else:
                touched[kind] = set()
                setattr(self, kind, Tracked(current, touched[kind]))
        return touched

    def next_id(self, kind: str) -> str:
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        return f"{kind}-{n}"

    # ------------------------------------------------------------------ serialisation

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.head_dict(),
            "tokens": {k: t.to_dict() for k, t in self.tokens.items()},
            "scopes": {k: s.to_dict() for k, s in self.scopes.items()},
            "waits": {k: w.to_dict() for k, w in self.waits.items()},
            "incidents": {k: i.to_dict() for k, i in self.incidents.items()},
        }

    def head_dict(self) -> dict[str, Any]:
        """``to_dict`` without the ``PART_KINDS`` collections."""
        return {
            "instance_id": self.instance_id,
            "process_id": self.process_id,
            "business_key": self.business_key,
            "status": self.status,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "joins": {k: {f: list(ts) for f, ts in v.items()} for k, v in self.joins.items()},
            "counters": dict(self.counters),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, fresh: bool = False) -> InstanceState:
        """The state ``d`` (a ``to_dict()``) describes; ``fresh``: ``d`` was just decoded and
        is not used again, so the scopes' ``data`` is taken without a deep copy."""
        state = cls(d["instance_id"], d["process_id"], d.get("business_key"))
        state.status = d.get("status", "active")
        state.started_at = d.get("started_at")
        state.ended_at = d.get("ended_at")
        state.tokens = {k: Token.from_dict(v) for k, v in d.get("tokens", {}).items()}
        state.scopes = {k: Scope.from_dict(v, fresh=fresh) for k, v in d.get("scopes", {}).items()}
        state.waits = {k: Wait.from_dict(v) for k, v in d.get("waits", {}).items()}
        state.incidents = {k: Incident.from_dict(v) for k, v in d.get("incidents", {}).items()}
        state.joins = {
            k: {f: list(ts) for f, ts in v.items()} for k, v in d.get("joins", {}).items()
        }
        state.counters = dict(d.get("counters", {}))
        return state


def new_instance(
    process: Process, *, instance_id: str, business_key: str | None = None
) -> InstanceState:
    """A fresh, active instance of ``process`` with nothing started yet."""
    return InstanceState(instance_id, process.id, business_key)


def snapshot_variables(snapshot: Mapping[str, Any], wait_id: str | None = None) -> dict[str, Any]:
    """Variables visible at an open wait of a stored ``to_dict()`` snapshot (inner scopes
    win), read without rebuilding the state; the root scope's when the wait is gone (or
    ``wait_id`` is None). A read for displays and workers: the dicts are not copied deeply."""
    scopes = snapshot.get("scopes", {})
    wait = snapshot.get("waits", {}).get(wait_id) if wait_id is not None else None
    scope_id: str | None = wait["scope_id"] if wait is not None else ROOT
    chain: list[Mapping[str, Any]] = []
    while scope_id is not None and scope_id in scopes:
        scope = scopes[scope_id]
        chain.append(scope.get("variables", {}))
        scope_id = scope.get("parent_id")
    merged: dict[str, Any] = {}
    for variables in reversed(chain):
        merged.update(variables)
    return merged
