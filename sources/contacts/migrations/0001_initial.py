"""Contacts: one per-user table with row-level security before any row arrives, and full-text
search over names, organisations, e-mail addresses, phones, groups and notes.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

SEARCH = [
    """ALTER TABLE "user_data"."contact" ADD COLUMN search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, coalesce(full_name, '') || ' ' || coalesce(nickname, '') || ' ' || coalesce(name ->> 'given', '') || ' ' || coalesce(name ->> 'family', '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(organization, '') || ' ' || coalesce(title, '') || ' ' || coalesce(jsonb_path_query_array(emails, '$[*].value')::text, '') || ' ' || coalesce(jsonb_path_query_array(phones, '$[*].value')::text, '') || ' ' || coalesce(groups::text, '')), 'B') || setweight(to_tsvector('simple'::regconfig, coalesce(note, '') || ' ' || coalesce(jsonb_path_query_array(addresses, '$[*].locality')::text, '')), 'C')) STORED""",
    """CREATE INDEX contact_search_idx ON "user_data"."contact" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS user_data.contact_search_idx""",
    """ALTER TABLE "user_data"."contact" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Contact',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'address_book', 'card_key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('address_book', models.CharField(max_length=200)),
                ('card_key', models.UUIDField()),
                ('version', models.CharField(blank=True, max_length=10)),
                ('full_name', models.TextField(blank=True)),
                ('name', models.JSONField(default=dict)),
                ('nickname', models.TextField(blank=True)),
                ('emails', models.JSONField(default=list)),
                ('phones', models.JSONField(default=list)),
                ('addresses', models.JSONField(default=list)),
                ('birthday', models.CharField(blank=True, max_length=40)),
                ('birthday_month', models.SmallIntegerField(null=True)),
                ('birthday_day', models.SmallIntegerField(null=True)),
                ('organization', models.TextField(blank=True)),
                ('title', models.TextField(blank=True)),
                ('groups', models.JSONField(default=list)),
                ('note', models.TextField(blank=True)),
                ('urls', models.JSONField(default=list)),
                ('photo', models.JSONField(default=dict)),
                ('vcf', models.TextField()),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."contact',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='contact_run_idx'), models.Index(fields=['user', 'birthday_month', 'birthday_day'], name='contact_birthday_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('birthday_month__isnull', True), models.Q(('birthday_month__gte', 1), ('birthday_month__lte', 12)), _connector='OR'), name='contact_birthday_month_check')],
            },
        ),
        core.operations.ProtectPerUserTable('user_data', 'contact', privileges='SELECT, INSERT, DELETE'),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]
