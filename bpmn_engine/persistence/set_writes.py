"""One statement for many rows: the set-based form of a write-path statement.

A timer batch queues the same few statements for every instance it fires (the instance
``UPDATE``, the token ``DELETE``, the history ``UPDATE`` and ``INSERT``, the timer's
``UPDATE``). Sent one row per statement, PostgreSQL starts an executor for each, and
that start-up costs more than the row. ``set_form`` rewrites such a statement into one
that takes each of its parameters as an array (a column) and joins the rows with
``unnest``, so a group of statements becomes one statement::

    UPDATE t SET a = %s WHERE id = %s AND version = %s
    UPDATE t AS t SET a = v.p0 FROM unnest(%s::text[], %s::bigint[], %s::integer[])
        AS v(p0, p1, p2) WHERE t.id = v.p1 AND t.version = v.p2

    DELETE FROM t WHERE instance_id = %s AND token_id IN (%s, %s)
    DELETE FROM t USING unnest(%s::bigint[], %s::varchar(64)[]) AS v(p0, p1)
        WHERE t.instance_id = v.p0 AND t.token_id = v.p1

    INSERT INTO t (a, b) VALUES (%s, %s::jsonb), (%s, %s::jsonb)
    INSERT INTO t (a, b) SELECT * FROM unnest(%s::text[], %s::jsonb[]) AS v(p0, p1)

Only those three shapes are recognised: plain ``column = %s`` assignments and
conditions joined by ``AND`` (a ``DELETE`` may have one ``column IN (...)`` list, one row
per listed value), and an ``INSERT`` of placeholder rows without a suffix
(``ON CONFLICT`` could meet the same key twice in one statement, which PostgreSQL
refuses). Anything else keeps its own statement. Each array is cast to its column's
type, read from the model that owns the table. PostgreSQL only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from django.apps import apps
from django.db import connection


@dataclass(frozen=True, slots=True)
class SetForm:
    """The set-based statement and how one queued statement's parameters become rows
    (``width`` parameters each; ``listed``: the position of a ``DELETE``'s ``IN`` list,
    whose values each make a row with the fixed parameters)."""

    sql: str
    width: int
    listed: int | None = None

    def rows(self, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        if self.listed is not None:
            head, tail = params[: self.listed], params[self.listed + len(params) - self.width + 1 :]
            values = params[self.listed : self.listed + len(params) - self.width + 1]
            return [(*head, value, *tail) for value in values]
        if len(params) == self.width:
            return [tuple(params)]
        return [tuple(params[i : i + self.width]) for i in range(0, len(params), self.width)]


_PLACEHOLDER = r"%s(?:::jsonb)?"
_ASSIGN = re.compile(rf"^(\w+) = {_PLACEHOLDER}$")
_IN = re.compile(r"^(\w+) IN \(%s(?:, %s)*\)$")
_UPDATE = re.compile(r"^UPDATE (\S+) SET (.+?) WHERE (.+)$", re.S)
_DELETE = re.compile(r"^DELETE FROM (\S+) WHERE (.+)$", re.S)
_INSERT = re.compile(r"^INSERT INTO (\S+) \(([^)]*)\) VALUES (\(.*\))\s*$", re.S)


@lru_cache(maxsize=512)
def set_form(sql: str) -> SetForm | None:
    """The set-based form of ``sql``, or None when it has none (see the module)."""
    sql = sql.strip()
    for parse in (_update, _delete, _insert):
        form = parse(sql)
        if form is not None:
            return form
    return None


def _update(sql: str) -> SetForm | None:
    match = _UPDATE.match(sql)
    if match is None:
        return None
    table, sets, where = match.groups()
    assigned = [_ASSIGN.match(part) for part in sets.split(", ")]
    conditions = [_ASSIGN.match(part) for part in where.split(" AND ")]
    types = _column_types(table)
    if types is None or not all(assigned) or not all(conditions):
        return None
    columns = [m.group(1) for m in assigned] + [m.group(1) for m in conditions]  # type: ignore[union-attr]
    if any(c not in types for c in columns):
        return None
    width = len(assigned)
    sets_sql = ", ".join(f"{c} = v.p{i}" for i, c in enumerate(columns[:width]))
    where_sql = " AND ".join(f"t.{c} = v.p{width + i}" for i, c in enumerate(columns[width:]))
    return SetForm(
        f"UPDATE {table} AS t SET {sets_sql} FROM {_unnest(types, columns)} WHERE {where_sql}",
        len(columns),
    )


def _delete(sql: str) -> SetForm | None:
    match = _DELETE.match(sql)
    if match is None:
        return None
    table, where = match.groups()
    types = _column_types(table)
    if types is None:
        return None
    columns: list[str] = []
    listed = None
    for part in where.split(" AND "):
        found = _ASSIGN.match(part)
        if found is None and listed is None and (found := _IN.match(part)) is not None:
            listed = len(columns)
        if found is None or found.group(1) not in types:
            return None
        columns.append(found.group(1))
    where_sql = " AND ".join(f"t.{c} = v.p{i}" for i, c in enumerate(columns))
    return SetForm(
        f"DELETE FROM {table} AS t USING {_unnest(types, columns)} WHERE {where_sql}",
        len(columns),
        listed,
    )


def _insert(sql: str) -> SetForm | None:
    match = _INSERT.match(sql)
    if match is None:
        return None
    table, names, values = match.groups()
    types = _column_types(table)
    columns = [c.strip().strip('"') for c in names.split(",")]
    one = r"\(" + ", ".join(_PLACEHOLDER for _ in columns) + r"\)"
    if types is None or any(c not in types for c in columns):
        return None
    if re.fullmatch(rf"{one}(?:, {one})*", values) is None:
        return None
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    return SetForm(
        f"INSERT INTO {table} ({quoted}) SELECT * FROM {_unnest(types, columns)}", len(columns)
    )


def _unnest(types: dict[str, str], columns: list[str]) -> str:
    arrays = ", ".join(f"%s::{types[c]}[]" for c in columns)
    names = ", ".join(f"p{i}" for i in range(len(columns)))
    return f"unnest({arrays}) AS v({names})"


@cache
def _column_types(table: str) -> dict[str, str] | None:
    """Column -> PostgreSQL type of the model stored in ``table`` (quoted or not)."""
    name = table.strip('"')
    for model in apps.get_models():
        if model._meta.db_table == name:
            return {
                f.column: f.db_type(connection) or ""
                for f in model._meta.concrete_fields
                if f.db_type(connection)
            }
    return None


def columns_of(rows: list[tuple[Any, ...]]) -> list[Any]:
    """The rows' values by column: one array parameter each, as an array literal (text
    the statement casts) when every value is of a plain type. psycopg's own list dumper
    escapes each string with a regular expression: for a batch's states, hashes and
    timestamps that cost more Python than the rest of the flush."""
    return [_literal(column) for column in zip(*rows, strict=True)] if rows else []


def _literal(values: tuple[Any, ...]) -> Any:
    kinds = set(map(type, values))  # one type for most columns: one test, not one per row
    if all(issubclass(kind, str) for kind in kinds):  # text choices too
        # Escaped in one pass over the column joined by NUL, which PostgreSQL text never
        # holds (a value that has one takes the slow path, and the server refuses it).
        joined = "\x00".join(values)
        if joined.count("\x00") == len(values) - 1:
            joined = joined.replace("\\", "\\\\").replace('"', '\\"')
            return '{"' + joined.replace("\x00", '","') + '"}'
    if kinds == {int}:
        return "{" + ",".join(map(str, values)) + "}"
    parts = []
    for value in values:
        kind = type(value)
        if value is None:
            parts.append("NULL")
        elif kind is str or isinstance(value, str):  # text choices too
            parts.append('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif kind is int:
            parts.append(str(value))
        elif kind is bool:
            parts.append("t" if value else "f")
        elif kind is datetime and value.tzinfo is not None:
            parts.append('"' + value.isoformat() + '"')
        else:  # anything else: psycopg adapts the list
            return list(values)
    return "{" + ",".join(parts) + "}"
