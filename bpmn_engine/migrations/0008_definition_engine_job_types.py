from django.db import migrations, models


def record_current_handlers(apps, schema_editor):
    """Definitions deployed before this field keep running the job types that had a
    handler in the migrating process (the same rule, decided once now)."""
    from bpmn_engine.jobs.handlers import registered_job_types

    ProcessDefinition = apps.get_model("bpmn_engine", "ProcessDefinition")
    ProcessDefinition.objects.update(engine_job_types=registered_job_types())


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0007_decision_definitions"),
    ]

    operations = [
        migrations.AddField(
            model_name="processdefinition",
            name="engine_job_types",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(record_current_handlers, migrations.RunPython.noop),
    ]
