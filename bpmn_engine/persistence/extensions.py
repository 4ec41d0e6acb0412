"""PostgreSQL extensions the schema may use where the database allows them."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, transaction


def trigram_available(schema_editor: Any) -> bool:
    """Whether ``pg_trgm`` is installed, creating it if allowed (inside a savepoint, so a
    refusal does not abort the migration's transaction)."""
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return True
    except DatabaseError:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            return cursor.fetchone() is not None
