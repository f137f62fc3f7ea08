"""Saved places: one per-user table of saved things, with row-level security before any row
arrives, and full-text search over its words.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

# 'simple': place names come in every language; one language's stemming would mangle the rest.
SEARCH = [
    """ALTER TABLE "user_data"."saved_place" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(address, '') || ' ' || coalesce(note, ''))) STORED""",
    """CREATE INDEX saved_place_search_idx ON "user_data"."saved_place" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS user_data.saved_place_search_idx""",
    """ALTER TABLE "user_data"."saved_place" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SavedPlace',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'kind', 'list_name', 'place_key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(choices=[('saved', 'Saved'), ('labeled', 'Labeled'), ('list', 'List')], max_length=8)),
                ('list_name', models.CharField(blank=True, max_length=200)),
                ('place_key', models.UUIDField()),
                ('title', models.TextField(blank=True)),
                ('address', models.TextField(blank=True)),
                ('note', models.TextField(blank=True)),
                ('url', models.TextField(blank=True)),
                ('lat_e7', models.IntegerField(null=True)),
                ('lng_e7', models.IntegerField(null=True)),
                ('country_code', models.CharField(blank=True, max_length=8)),
                ('saved_at', models.DateTimeField(null=True)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."saved_place',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='saved_place_run_idx'), models.Index(fields=['user', 'saved_at'], name='saved_place_saved_at_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['saved', 'labeled', 'list'])), name='saved_place_kind_check'), models.CheckConstraint(condition=models.Q(models.Q(('lat_e7__isnull', True), ('lng_e7__isnull', True)), models.Q(('lat_e7__isnull', False), ('lng_e7__isnull', False)), _connector='OR'), name='saved_place_position_check')],
            },
        ),
        core.operations.ProtectPerUserTable('user_data', 'saved_place', privileges='SELECT, INSERT, DELETE'),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]
