"""A trigram index on the names of open tasks, for the inbox's free text on PostgreSQL.

A selective search names its matching instances outright (``selectors/inbox.py``); with
this index the task-name half of the search is an index lookup too, so PostgreSQL can
fetch the few matching open tasks instead of walking every visible one. Partial on open
tasks, like the inbox's other indexes: a completed task leaves it.

``pg_trgm`` is created when missing. It is a trusted extension (PostgreSQL 13+), so the
database owner may create it; where even that is refused, the migration skips the index
and says so: searches stay correct, only slower (docs/inbox.md, "Free text").
"""

from __future__ import annotations

import logging

from django.db import migrations

from bpmn_engine.persistence.extensions import trigram_available

INDEX = "usertask_open_name_trgm_idx"
log = logging.getLogger(__name__)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if not trigram_available(schema_editor):
        log.warning("pg_trgm is not installed and may not be created: %s skipped", INDEX)
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON bpmn_engine_usertask "
        "USING gin (UPPER(name::text) gin_trgm_ops) WHERE state = 'open'"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("bpmn_engine", "0016_audit_truncate_trigger_on_postgresql")]

    operations = [migrations.RunPython(create_index, drop_index)]
