"""Gmail messages: a per-user table range-partitioned by month, with row-level security
before any row arrives, and full-text search over subject, sender and body text.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

# Created on the partitioned parent, so partitions made later get both (LIKE ... INCLUDING ALL).
# 'simple': mail comes in every language. The body is bounded by the parser (4,000 characters).
SEARCH = [
    """ALTER TABLE "timeseries"."mail_message" ADD COLUMN search tsvector GENERATED ALWAYS AS ("""
    """setweight(to_tsvector('simple'::regconfig, coalesce(subject, '')), 'A') || """
    """setweight(to_tsvector('simple'::regconfig, coalesce(sender, '')), 'B') || """
    """setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'C')) STORED""",
    """CREATE INDEX mail_message_search_idx ON "timeseries"."mail_message" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS timeseries.mail_message_search_idx""",
    """ALTER TABLE "timeseries"."mail_message" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.operations.CreatePartitionedModel(
            partition_column='sent_at',
            name='MailMessage',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'sent_at', 'message_key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('sent_at', models.DateTimeField()),
                ('utc_offset_minutes', models.SmallIntegerField(null=True)),
                ('message_key', models.UUIDField()),
                ('message_id', models.TextField(blank=True)),
                ('thread_id', models.TextField(blank=True)),
                ('labels', models.TextField(blank=True)),
                ('label_meanings', models.JSONField(default=list)),
                ('sender', models.TextField(blank=True)),
                ('sender_address', models.TextField(blank=True)),
                ('recipients', models.TextField(blank=True)),
                ('cc', models.TextField(blank=True)),
                ('subject', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('attachments', models.JSONField(default=list)),
                ('size_bytes', models.BigIntegerField()),
                ('is_chat', models.BooleanField(default=False)),
                ('clipped', models.BooleanField(default=False)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."mail_message',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='mail_message_run_idx')],
            },
        ),
        core.operations.ProtectPerUserTable('timeseries', 'mail_message', privileges='SELECT, INSERT, DELETE',
                                            partitioned=True),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]
