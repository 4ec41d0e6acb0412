"""What another process would find of the SQLite writer lock (``sqlite_writes``)."""

from __future__ import annotations

import fcntl
import os

from django.db import connection

from bpmn_engine.persistence import sqlite_writes


def lock_state() -> str:
    """Whether another process could take the writer lock now: "free" or "held"."""
    fd = os.open(sqlite_writes.lock_path(connection.settings_dict), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "held"
    finally:
        os.close(fd)
    return "free"
