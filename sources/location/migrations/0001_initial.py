"""Location history's per-user tables. The time-series ones are range-partitioned by month and
every one of them gets row-level security before any row can arrive."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.operations.CreatePartitionedModel(
            partition_column='started_at',
            name='ActivitySegment',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'started_at', 'ended_at', 'activity_type', blank=True, editable=False, primary_key=True, serialize=False)),
                ('started_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField()),
                ('utc_offset_minutes', models.SmallIntegerField(null=True)),
                ('start_lat_e7', models.IntegerField(null=True)),
                ('start_lng_e7', models.IntegerField(null=True)),
                ('end_lat_e7', models.IntegerField(null=True)),
                ('end_lng_e7', models.IntegerField(null=True)),
                ('distance_m', models.FloatField(null=True)),
                ('activity_type', models.CharField(default='UNKNOWN', max_length=48)),
                ('confidence', models.FloatField(null=True)),
                ('waypoints', models.JSONField(default=list)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."activity_segment',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='activity_segment_run_idx')],
            },
        ),
        migrations.CreateModel(
            name='Device',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('device_tag', models.BigIntegerField()),
                ('name', models.CharField(blank=True, max_length=200)),
                ('platform', models.CharField(blank=True, max_length=40)),
                ('first_seen_at', models.DateTimeField(null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."device',
                'constraints': [models.UniqueConstraint(fields=('user', 'device_tag'), name='device_user_tag_uniq')],
            },
        ),
        core.operations.CreatePartitionedModel(
            partition_column='recorded_at',
            name='LocationPoint',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'recorded_at', 'lat_e7', 'lng_e7', blank=True, editable=False, primary_key=True, serialize=False)),
                ('recorded_at', models.DateTimeField()),
                ('utc_offset_minutes', models.SmallIntegerField(null=True)),
                ('lat_e7', models.IntegerField()),
                ('lng_e7', models.IntegerField()),
                ('accuracy_m', models.FloatField(null=True)),
                ('altitude_m', models.FloatField(null=True)),
                ('vertical_accuracy_m', models.FloatField(null=True)),
                ('velocity_mps', models.FloatField(null=True)),
                ('heading_deg', models.FloatField(null=True)),
                ('source', models.CharField(blank=True, max_length=16)),
                ('device_tag', models.BigIntegerField(null=True)),
                ('platform', models.CharField(blank=True, max_length=40)),
                ('activity_type', models.CharField(blank=True, max_length=48)),
                ('activity_confidence', models.SmallIntegerField(null=True)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."location_point',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='location_point_run_idx')],
            },
        ),
        core.operations.CreatePartitionedModel(
            partition_column='started_at',
            name='PlaceVisit',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'started_at', 'lat_e7', 'lng_e7', blank=True, editable=False, primary_key=True, serialize=False)),
                ('started_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField(null=True)),
                ('utc_offset_minutes', models.SmallIntegerField(null=True)),
                ('lat_e7', models.IntegerField()),
                ('lng_e7', models.IntegerField()),
                ('place_id', models.CharField(blank=True, max_length=200)),
                ('name', models.TextField(blank=True)),
                ('address', models.TextField(blank=True)),
                ('semantic_type', models.CharField(blank=True, max_length=64)),
                ('confidence', models.FloatField(null=True)),
                ('is_child', models.BooleanField(default=False)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."place_visit',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='place_visit_run_idx')],
            },
        ),
        core.operations.ProtectPerUserTable('user_data', 'device'),
        core.operations.ProtectPerUserTable('timeseries', 'location_point', privileges='SELECT, INSERT, DELETE', partitioned=True),
        core.operations.ProtectPerUserTable('timeseries', 'place_visit', privileges='SELECT, INSERT, DELETE', partitioned=True),
        core.operations.ProtectPerUserTable('timeseries', 'activity_segment', privileges='SELECT, INSERT, DELETE', partitioned=True),
    ]
