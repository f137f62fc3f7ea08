"""Google Fit: sessions and daily metrics, partitioned by month, with row-level security
before any row can arrive; search over session activity names and titles.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

SEARCH = [
    """ALTER TABLE "timeseries"."fit_session" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(activity, '') || ' ' || coalesce(name, ''))) STORED""",
    """CREATE INDEX fit_session_search_idx ON "timeseries"."fit_session" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS timeseries.fit_session_search_idx""",
    """ALTER TABLE "timeseries"."fit_session" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.operations.CreatePartitionedModel(
            partition_column='started_at',
            name='FitSession',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'started_at', blank=True, editable=False, primary_key=True, serialize=False)),
                ('started_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField(null=True)),
                ('activity', models.CharField(blank=True, max_length=64)),
                ('name', models.TextField(blank=True)),
                ('duration_s', models.FloatField(null=True)),
                ('distance_m', models.FloatField(null=True)),
                ('calories_kcal', models.FloatField(null=True)),
                ('steps', models.BigIntegerField(null=True)),
                ('extra', models.JSONField(default=dict)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."fit_session',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='fit_session_run_idx')],
            },
        ),
        core.operations.CreatePartitionedModel(
            partition_column='started_at',
            name='FitDaily',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'started_at', 'span', blank=True, editable=False, primary_key=True, serialize=False)),
                ('started_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField()),
                ('span', models.CharField(choices=[('day', 'Day'), ('interval', 'Interval')], max_length=8)),
                ('utc_offset_minutes', models.SmallIntegerField(null=True)),
                ('steps', models.BigIntegerField(null=True)),
                ('distance_m', models.FloatField(null=True)),
                ('calories_kcal', models.FloatField(null=True)),
                ('move_minutes', models.FloatField(null=True)),
                ('heart_points', models.FloatField(null=True)),
                ('metrics', models.JSONField(default=dict)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."fit_daily',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='fit_daily_run_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('span__in', ['day', 'interval'])), name='fit_daily_span_check')],
            },
        ),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
        core.operations.ProtectPerUserTable('timeseries', 'fit_session', privileges='SELECT, INSERT, DELETE', partitioned=True),
        core.operations.ProtectPerUserTable('timeseries', 'fit_daily', privileges='SELECT, INSERT, DELETE', partitioned=True),
    ]
