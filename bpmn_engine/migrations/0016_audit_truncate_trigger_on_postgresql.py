"""PostgreSQL refuses TRUNCATE of audit events too (``bpmn_engine.audit.triggers``)."""

from django.db import migrations

from bpmn_engine.audit import triggers


def install_truncate_trigger(apps, schema_editor):
    triggers.install_truncate_refusal(schema_editor.connection)


def uninstall_truncate_trigger(apps, schema_editor):
    triggers.uninstall_truncate_refusal(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0015_audit_delete_trigger_on_sqlite"),
    ]

    operations = [
        migrations.RunPython(install_truncate_trigger, uninstall_truncate_trigger),
    ]
