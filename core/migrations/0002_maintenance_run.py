"""The record of maintenance runs (partitions, analytics refresh, ops actions)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0001_schemas"),
    ]

    operations = [
        migrations.CreateModel(
            name="MaintenanceRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=48)),
                ("started_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(null=True)),
                ("outcome", models.CharField(choices=[("running", "Running"), ("ok", "Ok"), ("failed", "Failed")],
                                             default="running", max_length=16)),
                ("details", models.JSONField(default=dict)),
                ("error", models.TextField(blank=True)),
            ],
            options={
                "db_table": 'ops"."maintenance_run',
                "indexes": [models.Index(fields=["kind", "-started_at"], name="maintenance_run_kind_idx")],
            },
        ),
    ]
