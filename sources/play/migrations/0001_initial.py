"""Google Play events: a per-user table range-partitioned by month, with row-level security
before any row arrives, and full-text search over titles.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

# Created on the partitioned parent, so partitions made later get both (LIKE ... INCLUDING ALL).
SEARCH = [
    """ALTER TABLE "timeseries"."play_event" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(document_type, ''))) STORED""",
    """CREATE INDEX play_event_search_idx ON "timeseries"."play_event" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS timeseries.play_event_search_idx""",
    """ALTER TABLE "timeseries"."play_event" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.operations.CreatePartitionedModel(
            partition_column='at',
            name='PlayEvent',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'at', 'kind', 'item_key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('at', models.DateTimeField()),
                ('kind', models.CharField(choices=[('install', 'Install'), ('library', 'Library'), ('purchase', 'Purchase'), ('order', 'Order'), ('review', 'Review')], max_length=16)),
                ('item_key', models.UUIDField()),
                ('title', models.TextField()),
                ('document_type', models.CharField(blank=True, max_length=200)),
                ('device', models.CharField(blank=True, max_length=200)),
                ('price', models.CharField(blank=True, max_length=200)),
                ('extra', models.JSONField(default=dict)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."play_event',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='play_event_run_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['install', 'library', 'purchase', 'order', 'review'])), name='play_event_kind_check')],
            },
        ),
        core.operations.ProtectPerUserTable('timeseries', 'play_event', privileges='SELECT, INSERT, DELETE',
                                            partitioned=True),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]
