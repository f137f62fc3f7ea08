"""The health history: one row per sample, range-partitioned by month in schema ops."""

from django.db import migrations, models
from django.utils import timezone

import lake.operations
from lake import partitions


def create_partitions(apps, schema_editor):
    # No user_id: no row-level security. The app role (the sampler, the
    # dashboards) reaches rows through the parent, which schema ops' default
    # privileges grant; ensure_partition revokes the leaves from it.
    table = partitions.REGISTRY["ops.health_sample"]
    with schema_editor.connection.cursor() as cursor:
        for statement in partitions.create_statements(table):
            cursor.execute(statement)
        partitions.ensure_ahead(cursor, table, timezone.now())


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("lake", "0001_schemas"),
    ]

    operations = [
        lake.operations.CreatePartitionedModel(
            partition_column="taken_at",
            name="HealthSample",
            fields=[
                ("taken_at", models.DateTimeField(primary_key=True, serialize=False)),
                ("figures", models.JSONField(default=dict)),
            ],
            options={
                "db_table": 'ops"."health_sample',
            },
        ),
        migrations.RunPython(create_partitions, migrations.RunPython.noop),
    ]
