"""Google Photos: media files (their place, never their bytes), sidecars and albums, each a per-user
table with row-level security before any row arrives, and full-text search over sidecars' words.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

# 'simple': titles, descriptions and people's names come in every language.
SEARCH = [
    """ALTER TABLE "user_data"."photo_sidecar" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(description, '') || ' ' || people::text)) STORED""",
    """CREATE INDEX photo_sidecar_search_idx ON "user_data"."photo_sidecar" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS user_data.photo_sidecar_search_idx""",
    """ALTER TABLE "user_data"."photo_sidecar" DROP COLUMN IF EXISTS search""",
]


def _user():
    return ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE,
                                      related_name='+', to=settings.AUTH_USER_MODEL))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PhotoMedia',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'path', blank=True, editable=False, primary_key=True, serialize=False)),
                ('path', models.TextField()),
                ('folder', models.TextField()),
                ('name', models.TextField()),
                ('size', models.BigIntegerField()),
                ('kind', models.CharField(max_length=16)),
                ('content_key', models.UUIDField()),
                ('part', models.IntegerField(null=True)),
                ('sidecar_path', models.TextField(null=True)),
                ('original_path', models.TextField(null=True)),
                ('taken_at', models.DateTimeField(null=True)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                _user(),
            ],
            options={
                'db_table': 'user_data"."photo_media',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='photo_media_run_idx'), models.Index(fields=['user', 'folder'], name='photo_media_folder_idx'), models.Index(fields=['user', 'content_key'], name='photo_media_content_idx'), models.Index(fields=['user', 'sidecar_path'], name='photo_media_sidecar_idx'), models.Index(fields=['user', 'taken_at'], name='photo_media_taken_idx')],
            },
        ),
        migrations.CreateModel(
            name='PhotoSidecar',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'path', blank=True, editable=False, primary_key=True, serialize=False)),
                ('path', models.TextField()),
                ('folder', models.TextField()),
                ('name', models.TextField()),
                ('title', models.TextField(blank=True)),
                ('description', models.TextField(blank=True)),
                ('taken_at', models.DateTimeField(null=True)),
                ('created_at', models.DateTimeField(null=True)),
                ('lat_e7', models.IntegerField(null=True)),
                ('lng_e7', models.IntegerField(null=True)),
                ('altitude', models.FloatField(null=True)),
                ('exif_lat_e7', models.IntegerField(null=True)),
                ('exif_lng_e7', models.IntegerField(null=True)),
                ('people', models.JSONField(default=list)),
                ('favorited', models.BooleanField(default=False)),
                ('archived', models.BooleanField(default=False)),
                ('trashed', models.BooleanField(default=False)),
                ('device_type', models.CharField(blank=True, max_length=40)),
                ('partner_shared', models.BooleanField(default=False)),
                ('url', models.TextField(blank=True)),
                ('enrichments', models.JSONField(default=list)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                _user(),
            ],
            options={
                'db_table': 'user_data"."photo_sidecar',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='photo_sidecar_run_idx'), models.Index(fields=['user', 'folder'], name='photo_sidecar_folder_idx'), models.Index(fields=['user', 'taken_at'], name='photo_sidecar_taken_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('lat_e7__isnull', True), ('lng_e7__isnull', True)), models.Q(('lat_e7__isnull', False), ('lng_e7__isnull', False)), _connector='OR'), name='photo_sidecar_position_check')],
            },
        ),
        migrations.CreateModel(
            name='PhotoAlbum',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'folder', blank=True, editable=False, primary_key=True, serialize=False)),
                ('folder', models.TextField()),
                ('title', models.TextField(blank=True)),
                ('description', models.TextField(blank=True)),
                ('access', models.CharField(blank=True, max_length=40)),
                ('album_date', models.DateTimeField(null=True)),
                ('lat_e7', models.IntegerField(null=True)),
                ('lng_e7', models.IntegerField(null=True)),
                ('location', models.TextField(blank=True)),
                ('enrichments', models.JSONField(default=list)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                _user(),
            ],
            options={
                'db_table': 'user_data"."photo_album',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='photo_album_run_idx')],
            },
        ),
        # Pairing (at a run's end) sets a media row's part, sidecar, original and time: UPDATE there only.
        core.operations.ProtectPerUserTable('user_data', 'photo_media', privileges='SELECT, INSERT, UPDATE, DELETE'),
        core.operations.ProtectPerUserTable('user_data', 'photo_sidecar', privileges='SELECT, INSERT, DELETE'),
        core.operations.ProtectPerUserTable('user_data', 'photo_album', privileges='SELECT, INSERT, DELETE'),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]
