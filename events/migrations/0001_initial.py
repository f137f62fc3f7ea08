"""Change events: the user's event counter, the outbox, webhook endpoints and deliveries.

Every table is per user with FORCE'd row-level security before any row
arrives. The outbox is append-only for the app role (no UPDATE): an event,
once committed, never changes. Frozen: the SQL is written here as it was
when this migration was made.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from psycopg import sql

import core.operations

# The periodic dispatcher runs as the app role outside any user scope, where row-level
# security shows no endpoints: this hands out the ids of users with an enabled one, nothing else.
WEBHOOK_USERS_FUNCTION = """
CREATE OR REPLACE FUNCTION user_data.webhook_users()
RETURNS TABLE (user_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT user_id FROM user_data.webhook_endpoint WHERE enabled ORDER BY user_id
$$
"""


def create_webhook_users(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(WEBHOOK_USERS_FUNCTION)
        cursor.execute("REVOKE ALL ON FUNCTION user_data.webhook_users() FROM PUBLIC")
        cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION user_data.webhook_users() TO {}").format(
            sql.Identifier(settings.DB_APP_ROLE)))


def outbox_append_only(apps, schema_editor):
    # user_data's default privileges grant UPDATE on every new table; an event never changes.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql.SQL("REVOKE UPDATE, TRUNCATE ON user_data.event_outbox FROM {}").format(
            sql.Identifier(settings.DB_APP_ROLE)))


def drop_webhook_users(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS user_data.webhook_users()")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EventSequence',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.DB_CASCADE, primary_key=True, related_name='+', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('last_seq', models.BigIntegerField(default=0)),
            ],
            options={
                'db_table': 'user_data"."event_sequence',
            },
        ),
        migrations.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.BigIntegerField()),
                ('event_id', models.UUIDField(default=uuid.uuid4, editable=False)),
                ('type', models.CharField(max_length=64)),
                ('occurred_at', models.DateTimeField()),
                ('data', models.JSONField(default=dict)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."event_outbox',
            },
        ),
        migrations.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(max_length=1000)),
                ('description', models.CharField(blank=True, max_length=200)),
                ('event_types', models.JSONField(blank=True, default=list)),
                ('secret', models.CharField(max_length=100)),
                ('previous_secret', models.CharField(blank=True, max_length=100)),
                ('previous_secret_expires_at', models.DateTimeField(null=True)),
                ('enabled', models.BooleanField(default=True)),
                ('disabled_at', models.DateTimeField(null=True)),
                ('disabled_reason', models.TextField(blank=True)),
                ('failing_since', models.DateTimeField(null=True)),
                ('cursor_seq', models.BigIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."webhook_endpoint',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.BigIntegerField()),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('step', models.PositiveSmallIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField()),
                ('lease_until', models.DateTimeField(null=True)),
                ('attempts', models.JSONField(default=list)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to='events.outboxevent')),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='deliveries', to='events.webhookendpoint')),
            ],
            options={
                'db_table': 'user_data"."webhook_delivery',
                'ordering': ['-seq', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='outboxevent',
            constraint=models.UniqueConstraint(fields=('user', 'seq'), name='event_outbox_user_seq_uniq'),
        ),
        migrations.AddConstraint(
            model_name='outboxevent',
            constraint=models.UniqueConstraint(fields=('event_id',), name='event_outbox_event_id_uniq'),
        ),
        migrations.AddConstraint(
            model_name='webhookendpoint',
            constraint=models.UniqueConstraint(fields=('user', 'url'), name='webhook_endpoint_user_url_uniq'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['user', 'next_attempt_at', 'seq'], name='webhook_delivery_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.UniqueConstraint(fields=('endpoint', 'event'), name='webhook_delivery_endpoint_event_uniq'),
        ),
        core.operations.ProtectPerUserTable('user_data', 'event_sequence', privileges='SELECT, INSERT, UPDATE'),
        core.operations.ProtectPerUserTable('user_data', 'event_outbox', privileges='SELECT, INSERT, DELETE'),
        core.operations.ProtectPerUserTable('user_data', 'webhook_endpoint'),
        core.operations.ProtectPerUserTable('user_data', 'webhook_delivery'),
        migrations.RunPython(outbox_append_only, migrations.RunPython.noop),
        migrations.RunPython(create_webhook_users, drop_webhook_users),
    ]
