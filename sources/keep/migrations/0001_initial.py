"""Keep: one per-user table of notes, with row-level security before any row arrives, and
full-text search over titles, text, list items and labels.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

# 'simple': notes come in every language. Titles weigh most, labels next; list items are text.
SEARCH = [
    """ALTER TABLE "user_data"."keep_note" ADD COLUMN search tsvector GENERATED ALWAYS AS ("""
    """setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')"""
    """ || setweight(jsonb_to_tsvector('simple'::regconfig, labels, '["string"]'), 'B')"""
    """ || to_tsvector('simple'::regconfig, coalesce(text, ''))"""
    """ || jsonb_to_tsvector('simple'::regconfig, checklist, '["string"]')) STORED""",
    """CREATE INDEX keep_note_search_idx ON "user_data"."keep_note" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS user_data.keep_note_search_idx""",
    """ALTER TABLE "user_data"."keep_note" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='KeepNote',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'note_key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('note_key', models.UUIDField()),
                ('file_stem', models.CharField(blank=True, max_length=500)),
                ('title', models.TextField(blank=True)),
                ('text', models.TextField(blank=True)),
                ('checklist', models.JSONField(default=list)),
                ('labels', models.JSONField(default=list)),
                ('color', models.CharField(blank=True, max_length=32)),
                ('is_pinned', models.BooleanField(default=False)),
                ('is_archived', models.BooleanField(default=False)),
                ('is_trashed', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(null=True)),
                ('edited_at', models.DateTimeField(null=True)),
                ('annotations', models.JSONField(default=list)),
                ('attachments', models.JSONField(default=list)),
                ('undated_reason', models.TextField(blank=True)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."keep_note',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='keep_note_run_idx'), models.Index(fields=['user', 'edited_at'], name='keep_note_edited_at_idx'), models.Index(fields=['user', 'created_at'], name='keep_note_created_at_idx')],
            },
        ),
        core.operations.ProtectPerUserTable('user_data', 'keep_note', privileges='SELECT, INSERT, DELETE'),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]
