"""Small BPMN documents written inline for service tests (one process, ids as given)."""

from __future__ import annotations

from django.db import connection

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" '
    'targetNamespace="http://procession.example/test">\n'
)


def process(process_id: str, body: str) -> bytes:
    """``body`` (flow nodes and flows) wrapped in an executable process."""
    return (
        f'{HEAD}<bpmn:process id="{process_id}" isExecutable="true">\n{body}\n'
        "</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def flows(*pairs: tuple[str, str]) -> str:
    return "\n".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(pairs, 1)
    )


def row_is_unlocked(instance_id: int) -> bool:
    """Whether a second database connection can lock the instance row at once (PostgreSQL
    ``FOR UPDATE NOWAIT``; on SQLite, take the database write lock without waiting)."""
    params = connection.get_connection_params()
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(**params) as other, other.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM bpmn_engine_processinstance WHERE id = %s FOR UPDATE NOWAIT",
                [instance_id],
            )
            return cursor.fetchone() is not None
    import sqlite3

    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        found = other.execute(
            "SELECT id FROM bpmn_engine_processinstance WHERE id = ?", [instance_id]
        ).fetchone()
        other.execute("ROLLBACK")
        return found is not None
    finally:
        other.close()
