"""SQLite refuses DELETE of audit events too (``bpmn_engine.audit.triggers``)."""

from django.db import migrations

from bpmn_engine.audit import triggers


def install_delete_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        triggers.install(schema_editor.connection)


def uninstall_delete_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_append_only_delete;")


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0014_inbox_indexes"),
    ]

    operations = [
        migrations.RunPython(install_delete_trigger, uninstall_delete_trigger),
    ]
