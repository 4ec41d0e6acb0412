"""The embedded broker: kombu's filesystem transport without its torn reads.

kombu's ``filesystem://`` writes a message file in place, and a consumer may claim and
read it before the writer has finished: the worker dies with ``JSONDecodeError``. The
exchange table used by fanout (remote control, ``celery inspect ping``) has the same flaw.
Here every file is written under a temporary name in the same folder and renamed into
place (``os.replace`` is atomic on one filesystem), so a reader sees a whole file or none.
A message is claimed by an atomic rename into the broker's own ``processed`` folder (never
a copy to another filesystem), so two consumers never both get it; a file that still
cannot be decoded (written by another transport, damaged on disk) is moved aside to
``rejected`` and logged instead of stopping the worker.

Registered as the kombu transport ``embedded://`` (see ``register``); the folder options
are those of kombu's filesystem transport.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)

ALIAS = "embedded"
STAGING = ".staging"
REJECTED = "rejected"


def register() -> None:
    """Make ``embedded://`` name this transport (idempotent)."""
    TRANSPORT_ALIASES[ALIAS] = f"{__name__}:Transport"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees a partial file."""
    staging = path.parent / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    temporary = staging / f"{path.name}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


@contextlib.contextmanager
def exclusive(path: Path):
    """Hold an exclusive lock on ``path``'s side lock file (read-modify-write guard)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


class Channel(filesystem.Channel):
    """Atomic writes, atomic claims, no crash on an unreadable file."""

    def get_table(self, exchange: str) -> list:
        file = self._exchange_file(exchange)
        try:
            table = loads(file.read_bytes().decode())
        except FileNotFoundError:
            return []
        return [filesystem.exchange_queue_t(*row) for row in table]

    def _queue_bind(self, exchange, routing_key, pattern, queue) -> None:
        file = self._exchange_file(exchange)
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with exclusive(file):
            rows = self.get_table(exchange)
            if row not in rows:
                write_atomically(file, dumps([row, *rows]).encode())

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs) -> None:
        super(filesystem.Channel, self)._delete(queue, exchange, routing_key, pattern)
        file = self._exchange_file(exchange)
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with exclusive(file):
            rows = self.get_table(exchange)
            if row in rows:
                rows.remove(row)
                write_atomically(file, dumps(rows).encode())

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        # Zero-padded wall-clock time: names sort in publish order, also across restarts.
        name = f"{time.time_ns():020d}_{uuid.uuid4().hex}.{queue}.msg"
        write_atomically(Path(self.data_folder_out) / name, dumps(payload).encode())

    def _get(self, queue: str) -> Any:
        suffix = f"{queue}.msg"
        inbox = Path(self.data_folder_in)
        claimed_dir = Path(self.processed_folder)
        claimed_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(os.listdir(inbox)):
            if name.partition(".")[2] != suffix:
                continue
            claimed = claimed_dir / name
            try:
                os.rename(inbox / name, claimed)  # atomic: exactly one consumer wins
            except FileNotFoundError:
                continue  # another consumer claimed it first
            payload = self._read_claimed(claimed)
            if payload is not None:
                return payload
        raise Empty()

    def _read_claimed(self, claimed: Path) -> Any | None:
        try:
            payload = loads(claimed.read_bytes().decode())
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            rejected = claimed.parent.parent / REJECTED
            rejected.mkdir(parents=True, exist_ok=True)
            os.replace(claimed, rejected / claimed.name)
            log.error("embedded broker: unreadable message moved to %s", rejected / claimed.name)
            return None
        if not self.store_processed:
            claimed.unlink(missing_ok=True)
        return payload


class Transport(filesystem.Transport):
    """kombu's filesystem transport with ``Channel`` above."""

    Channel = Channel
    global_state = filesystem.virtual.BrokerState()
    driver_type = ALIAS
    driver_name = ALIAS
