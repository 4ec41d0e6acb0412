"""Jobs get one index for the queries that are not by id or instance, instead of five.

Leasing, taking along, the sweeper, external fetches and the job lists all ask for jobs
in a state, oldest due first: ``(state, due_at, id)`` answers each in order. The single
column indexes on ``state``, ``due_at`` and ``job_type`` go, so do PostgreSQL's
``varchar_pattern_ops`` copies (no query matches a pattern) and the ``instance_id``
index, which the unique ``(instance_id, wait_id)`` index already serves. A job row is
inserted and then updated (leased, reported) without HOT, so each index dropped is one
entry less per write. Written as index statements: Django's ``AlterField`` would
rebuild the table on SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "bpmn_engine_job"
# Indexes Django made for ``db_index=True`` (the same names on both databases).
DROPPED = [
    ("bpmn_engine_job_due_at_e04537d5", "due_at"),
    ("bpmn_engine_job_instance_id_c4596251", "instance_id"),
    ("bpmn_engine_job_job_type_be665c3f", "job_type"),
    ("bpmn_engine_job_state_f20ef686", "state"),
]
# PostgreSQL only: pattern-matching copies of indexed varchar columns.
PATTERN_COPIES = [
    "bpmn_engine_job_idempotency_key_d1f665d8_like",
    "bpmn_engine_job_job_type_be665c3f_like",
    "bpmn_engine_job_state_f20ef686_like",
]


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0021_instance_version_guard"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in PATTERN_COPIES]
                    + [f'DROP INDEX IF EXISTS "{name}"' for name, _ in DROPPED],
                    [
                        f'CREATE INDEX "{name}" ON "{TABLE}" ("{column}")'
                        for name, column in DROPPED
                    ],
                ),
                migrations.AddIndex(
                    model_name="job",
                    index=models.Index(fields=["state", "due_at", "id"], name="job_state_due"),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="job",
                    name="instance",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="jobs",
                        to="bpmn_engine.processinstance",
                    ),
                ),
                migrations.AlterField(
                    model_name="job", name="job_type", field=models.CharField(max_length=255)
                ),
                migrations.AlterField(
                    model_name="job",
                    name="state",
                    field=models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("locked", "Locked"),
                            ("completed", "Completed"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                migrations.AlterField(
                    model_name="job", name="due_at", field=models.DateTimeField()
                ),
                migrations.AddIndex(
                    model_name="job",
                    index=models.Index(fields=["state", "due_at", "id"], name="job_state_due"),
                ),
            ],
        ),
    ]
