"""Token rows lose their ``node_id`` index: every read of the token projection is per
instance (the unique (instance, token_id) index), and a command rewrites tokens, so the
index cost a page on every command and answered no query (docs/benchmarks.md,
2026-12-04).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bpmn_engine", "0023_audit_actor_index_partial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="tokenrow",
            name="token_node",
        ),
    ]
