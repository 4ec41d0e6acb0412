"""``manage.py flush`` that may empty the audit table on SQLite as it does on PostgreSQL.

Django's test runner flushes the database between transactional tests; on SQLite that is
a DELETE, which the append-only trigger refuses unless the connection's switch is on."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from bpmn_engine.audit import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        connection.ensure_connection()
        with triggers.flushing(connection):
            super().handle(**options)
