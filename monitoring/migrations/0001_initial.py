"""The health history: one row per sample, range-partitioned by month in schema ops."""

from django.db import migrations, models

import core.operations


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0001_schemas"),
    ]

    operations = [
        core.operations.CreatePartitionedModel(
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
        # No user_id: no row-level security. The app role (the sampler, the
        # dashboards) reaches rows through the parent, which schema ops' default
        # privileges grant; partitions made later revoke the leaves from it.
        core.operations.CreateDefaultPartition(schema="ops", table="health_sample"),
    ]
