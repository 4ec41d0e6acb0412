"""Fewer index entries per command (docs/benchmarks.md, 2026-12-03, SQLite pages).

Audit events lose their ``occurred_at``, ``definition_id`` and ``instance_id`` indexes and
user tasks their ``owner`` index: no query filters or sorts by them (an instance's events
are read by their stream, ``instance:<id>``, through the unique (stream, seq) index). The nullable foreign keys
``ProcessInstance.parent`` / ``started_by`` and ``ActivityHistory.called_instance`` and the
business key are indexed only where they hold a value (every query on them compares with
a value, which both databases answer from the partial index).

The schema changes are written as index statements: Django's ``AlterField`` for a
foreign key's ``db_index`` rebuilds the whole table on SQLite (and the audit table's
triggers with it); dropping and creating an index is all that changes here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Indexes Django made for ``db_index=True`` (the names are the same on both databases).
DROPPED = [
    ("bpmn_engine_auditevent_occurred_at_28c01ced", "bpmn_engine_auditevent", "occurred_at"),
    ("bpmn_engine_auditevent_definition_id_37c32bc4", "bpmn_engine_auditevent", "definition_id"),
    ("bpmn_engine_auditevent_instance_id_a6304965", "bpmn_engine_auditevent", "instance_id"),
    (
        "bpmn_engine_processinstance_parent_id_9471fe76",
        "bpmn_engine_processinstance",
        "parent_id",
    ),
    (
        "bpmn_engine_processinstance_started_by_id_62ba0a93",
        "bpmn_engine_processinstance",
        "started_by_id",
    ),
    (
        "bpmn_engine_activityhistory_called_instance_id_f0376108",
        "bpmn_engine_activityhistory",
        "called_instance_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0019_scheduled_timer_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RemoveIndex(model_name="processinstance", name="instance_business_key"),
                migrations.RemoveIndex(model_name="usertask", name="user_task_owner"),
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name, _, _ in DROPPED],
                    [
                        f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                        for name, table, column in DROPPED
                    ],
                ),
                migrations.AddIndex(
                    model_name="activityhistory",
                    index=models.Index(
                        condition=models.Q(("called_instance__isnull", False)),
                        fields=["called_instance"],
                        name="history_called_instance",
                    ),
                ),
                migrations.AddIndex(
                    model_name="processinstance",
                    index=models.Index(
                        condition=models.Q(("business_key__isnull", False)),
                        fields=["business_key"],
                        name="instance_business_key",
                    ),
                ),
                migrations.AddIndex(
                    model_name="processinstance",
                    index=models.Index(
                        condition=models.Q(("parent__isnull", False)),
                        fields=["parent"],
                        name="instance_parent",
                    ),
                ),
                migrations.AddIndex(
                    model_name="processinstance",
                    index=models.Index(
                        condition=models.Q(("started_by__isnull", False)),
                        fields=["started_by"],
                        name="instance_started_by",
                    ),
                ),
            ],
            state_operations=[
                migrations.RemoveIndex(
                    model_name="processinstance",
                    name="instance_business_key",
                ),
                migrations.RemoveIndex(
                    model_name="usertask",
                    name="user_task_owner",
                ),
                migrations.AlterField(
                    model_name="activityhistory",
                    name="called_instance",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="calling_activities",
                        to="bpmn_engine.processinstance",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="definition_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="instance_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="occurred_at",
                    field=models.DateTimeField(),
                ),
                migrations.AlterField(
                    model_name="processinstance",
                    name="parent",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="bpmn_engine.processinstance",
                    ),
                ),
                migrations.AlterField(
                    model_name="processinstance",
                    name="started_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddIndex(
                    model_name="activityhistory",
                    index=models.Index(
                        condition=models.Q(("called_instance__isnull", False)),
                        fields=["called_instance"],
                        name="history_called_instance",
                    ),
                ),
                migrations.AddIndex(
                    model_name="processinstance",
                    index=models.Index(
                        condition=models.Q(("business_key__isnull", False)),
                        fields=["business_key"],
                        name="instance_business_key",
                    ),
                ),
                migrations.AddIndex(
                    model_name="processinstance",
                    index=models.Index(
                        condition=models.Q(("parent__isnull", False)),
                        fields=["parent"],
                        name="instance_parent",
                    ),
                ),
                migrations.AddIndex(
                    model_name="processinstance",
                    index=models.Index(
                        condition=models.Q(("started_by__isnull", False)),
                        fields=["started_by"],
                        name="instance_started_by",
                    ),
                ),
            ],
        ),
    ]
