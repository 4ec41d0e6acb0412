"""The audit actor index holds only events with an actor (docs/benchmarks.md, 2026-12-04,
SQLite pages): the system's and the engine's own events are never looked up by actor.
The one query by actor (``selectors.audit``) repeats the index's condition, which SQLite
needs to use a partial index. Dropping and creating an index is all that changes; on a
large PostgreSQL audit table the ``CREATE INDEX`` holds off writes to it while it runs.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0022_job_state_due_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="auditevent",
            name="bpmn_engine_actor_i_c20d70_idx",
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("actor_id", ""), _negated=True),
                fields=["actor_id", "occurred_at"],
                name="audit_actor_idx",
            ),
        ),
    ]
