"""YouTube's per-user tables: comments and live chats partitioned by month, kept items in
user_data; full-text search over their words; row-level security before any row can arrive.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

# 'simple': comments and titles come in every language (see sources/youtube/search.py).
SEARCH = [
    """ALTER TABLE "timeseries"."youtube_comment" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(text, ''))) STORED""",
    """CREATE INDEX youtube_comment_search_idx ON "timeseries"."youtube_comment" USING gin (search)""",
    """ALTER TABLE "user_data"."youtube_item" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, ''))) STORED""",
    """CREATE INDEX youtube_item_search_idx ON "user_data"."youtube_item" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS user_data.youtube_item_search_idx""",
    """ALTER TABLE "user_data"."youtube_item" DROP COLUMN IF EXISTS search""",
    """DROP INDEX IF EXISTS timeseries.youtube_comment_search_idx""",
    """ALTER TABLE "timeseries"."youtube_comment" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.operations.CreatePartitionedModel(
            partition_column='created_at',
            name='YoutubeComment',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'created_at', 'comment_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField()),
                ('comment_id', models.CharField(max_length=128)),
                ('kind', models.CharField(choices=[('comment', 'Comment'), ('live_chat', 'Live Chat')], max_length=16)),
                ('channel_id', models.CharField(blank=True, max_length=64)),
                ('video_id', models.CharField(blank=True, max_length=64)),
                ('post_id', models.CharField(blank=True, max_length=128)),
                ('parent_id', models.CharField(blank=True, max_length=128)),
                ('price', models.CharField(blank=True, max_length=64)),
                ('text', models.TextField(blank=True)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."youtube_comment',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='youtube_comment_run_idx')],
            },
        ),
        migrations.CreateModel(
            name='YoutubeItem',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'kind', 'item_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(choices=[('subscription', 'Subscription'), ('playlist', 'Playlist'), ('playlist_video', 'Playlist Video'), ('like', 'Like')], max_length=16)),
                ('item_id', models.CharField(max_length=256)),
                ('title', models.CharField(blank=True, max_length=1000)),
                ('url', models.CharField(blank=True, max_length=2000)),
                ('added_at', models.DateTimeField(null=True)),
                ('extra', models.JSONField(default=dict)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."youtube_item',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='youtube_item_run_idx')],
            },
        ),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
        core.operations.ProtectPerUserTable('timeseries', 'youtube_comment', privileges='SELECT, INSERT, DELETE', partitioned=True),
        core.operations.ProtectPerUserTable('user_data', 'youtube_item', privileges='SELECT, INSERT, DELETE'),
    ]
