"""The audit trail: canonical hashing, writing events in the command's transaction,
chain verification and exports. ``record`` is the one entry point for commands."""

from bpmn_engine.audit.writer import Actor, Entry, record

__all__ = ["Actor", "Entry", "record"]
