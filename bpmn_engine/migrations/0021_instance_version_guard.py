"""The instance row's version guard as a function PostgreSQL evaluates inside a write
(``bpmn_engine.persistence.store.VERSION_GUARD``): a command's state ``UPDATE`` then travels
with its other deferred writes and its ``COMMIT`` instead of waiting for its row count in
a round trip of its own. Nothing changes on SQLite."""

from django.db import migrations

from bpmn_engine.persistence import guards


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(guards.POSTGRES_CREATE, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(guards.POSTGRES_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0020_sparser_indexes"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
