"""Variable rows keep their ``name`` index on PostgreSQL only.

The index serves one query, the console's instance search by variable name
(``console/queries.py``): an ``EXISTS`` over the instance's variable rows. PostgreSQL plans
it with its statistics. SQLite has none (no ``ANALYZE``) and probed the name index for
every instance the search walked, reading every row with that name each time: 17-36 s for
one page of results with 14,050 instances, against 12-34 ms through the unique
(instance, scope, name) index once the name index is gone. On SQLite the index also cost
every command a WAL page per variable name it wrote (docs/benchmarks.md, 2026-12-04).

The index leaves the model's state everywhere and the database on SQLite only; on
PostgreSQL it stays as migration 0013 created it.
"""

from django.db import migrations

CREATE = 'CREATE INDEX IF NOT EXISTS "variable_name" ON "bpmn_engine_variablerow" ("name")'


def drop_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('DROP INDEX IF EXISTS "variable_name"')


def restore_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0024_token_node_index_dropped"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="variablerow", name="variable_name"),
            ],
            database_operations=[migrations.RunPython(drop_on_sqlite, restore_on_sqlite)],
        ),
    ]
