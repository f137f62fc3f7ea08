"""Chrome's per-user tables: page visits (range-partitioned by month) and bookmarks, each
protected by row-level security before any row can arrive, and the visits' full-text search.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

# 'simple': titles come in every language. The host is indexed whole and split
# at its dots, so "ycombinator" finds news.ycombinator.com.
SEARCH = [
    """ALTER TABLE "timeseries"."browser_visit" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(host, '') || ' ' || replace(coalesce(host, ''), '.', ' '))) STORED""",
    """CREATE INDEX browser_visit_search_idx ON "timeseries"."browser_visit" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS timeseries.browser_visit_search_idx""",
    """ALTER TABLE "timeseries"."browser_visit" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.operations.CreatePartitionedModel(
            partition_column='visited_at',
            name='BrowserVisit',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'visited_at', 'url_key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('visited_at', models.DateTimeField()),
                ('url_key', models.UUIDField()),
                ('url', models.CharField(max_length=4096)),
                ('host', models.CharField(blank=True, max_length=255)),
                ('title', models.TextField(blank=True)),
                ('page_transition', models.CharField(blank=True, max_length=64)),
                ('page_transition_qualifier', models.CharField(blank=True, max_length=64)),
                ('client_id', models.CharField(blank=True, max_length=128)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."browser_visit',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='browser_visit_run_idx')],
            },
        ),
        migrations.CreateModel(
            name='Bookmark',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'url_key', 'folder', blank=True, editable=False, primary_key=True, serialize=False)),
                ('url_key', models.UUIDField()),
                ('url', models.CharField(max_length=4096)),
                ('title', models.TextField(blank=True)),
                ('folder', models.CharField(blank=True, max_length=500)),
                ('added_at', models.DateTimeField(null=True)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."bookmark',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='bookmark_run_idx')],
            },
        ),
        core.operations.ProtectPerUserTable('timeseries', 'browser_visit', privileges='SELECT, INSERT, DELETE', partitioned=True),
        core.operations.ProtectPerUserTable('user_data', 'bookmark', privileges='SELECT, INSERT, DELETE'),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]
