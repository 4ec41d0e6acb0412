"""The timer poller's index: ``(due_at, id)`` of scheduled timers only, in place of
``(state, due_at)``. A claim takes the oldest due timers in ``(due_at, id)`` order; with
the old index every timer due at one instant was read and sorted on every claim (10,000
due at once: ~12 ms per claim of 100), with this one a claim reads the rows it takes. A
fired timer leaves the index instead of adding an entry to it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0017_open_task_name_trigram"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="timer",
            name="bpmn_engine_state_1686c2_idx",
        ),
        migrations.AddIndex(
            model_name="timer",
            index=models.Index(
                condition=models.Q(("state", "scheduled")),
                fields=["due_at", "id"],
                name="timer_scheduled_due_idx",
            ),
        ),
    ]
