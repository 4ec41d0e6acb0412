"""The write path's own SQL: a few statements written once, run through Django's
connection (so transactions, error wrapping and query capture stay Django's) but without
the ORM's per-statement query building. The ORM keeps models, migrations, admin and the
read side; the statements here are the ones every command runs.

Placeholders are ``%s`` on every backend (Django's SQLite cursor translates them);
datetimes and JSON go through the backend's own adapters, so rows written here read back
through the ORM exactly like rows the ORM wrote.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

from bpmn_engine.models.encoding import ExactJSONEncoder


@cache
def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def json_value(value: Any) -> str:
    """A JSON column's parameter: the text the ORM would store (``ExactJSONEncoder``)."""
    return json.dumps(value, cls=ExactJSONEncoder)


def json_placeholder() -> str:
    return "%s::jsonb" if is_postgres() else "%s"


def when(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; returns the row count."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetchall(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetchone(sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    json_columns: frozenset[str] = frozenset(),
    suffix: str = "",
) -> list[tuple[Any, ...]]:
    """One multi-row ``INSERT`` of ``rows`` into ``model``'s table (``suffix`` e.g. an
    ``ON CONFLICT`` or ``RETURNING`` clause; its result rows are returned)."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    cast = json_placeholder()
    one = "(" + ", ".join(cast if c in json_columns else "%s" for c in columns) + ")"
    head = f"INSERT INTO {table(model)} ({', '.join(quote(c) for c in columns)}) VALUES "
    returned: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for batch in batches(rows, len(columns)):
            params = [value for row in batch for value in row]
            cursor.execute(f"{head}{', '.join([one] * len(batch))} {suffix}", params)
            if "RETURNING" in suffix:
                returned += cursor.fetchall()
    return returned


def batches(rows: Sequence[Any], width: int) -> list[Sequence[Any]]:
    """``rows`` cut so that no statement binds more parameters than the database takes
    (SQLite: ``max_query_params``; PostgreSQL binds client-side, one batch): a command
    that starts a 10,000-token instance inserts 10,000 token rows."""
    limit = connection.features.max_query_params
    if not limit or len(rows) * width <= limit:
        return [rows]
    size = max(1, limit // max(1, width))
    return [rows[i : i + size] for i in range(0, len(rows), size)]


@cache
def _converters(model: type[Model], vendor: str) -> list[list[Any]]:
    result = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        result.append(
            [(conv, col) for conv in connection.ops.get_db_converters(col)]
            + [(conv, col) for conv in col.get_db_converters(connection)]
        )
    return result


def select_list(model: type[Model], alias: str) -> str:
    """Every concrete column of ``model`` (in field order) qualified by ``alias``."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def column_count(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def build(model: type[Model], values: Sequence[Any]) -> Model:
    """A model instance from the raw values of ``select_list(model, ...)``, converted as
    the ORM converts them (JSON decoded, SQLite datetimes and booleans parsed)."""
    converted = []
    for value, converters in zip(values, _converters(model, connection.vendor), strict=True):
        for converter, col in converters:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(
        connection.alias, [f.attname for f in model._meta.concrete_fields], converted
    )
