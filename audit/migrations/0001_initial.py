"""The append-only audit log in a schema of its own."""

import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models
from psycopg import sql


def create_schema(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS audit")
        cursor.execute("REVOKE ALL ON SCHEMA audit FROM PUBLIC")


def make_append_only(apps, schema_editor):
    app = sql.Identifier(settings.DB_APP_ROLE)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA audit TO {}").format(app))
        # Insert and read, nothing else: no UPDATE, DELETE or TRUNCATE privilege.
        cursor.execute(sql.SQL("GRANT SELECT, INSERT ON audit.event TO {}").format(app))
        cursor.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO {}").format(app))
        # The trigger holds for the owner too, so a maintenance bug cannot
        # rewrite history either; only dropping the trigger (DDL) could.
        cursor.execute(
            """
            CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        cursor.execute(
            "CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON audit.event "
            "FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()"
        )
        cursor.execute(
            "CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON audit.event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()"
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.RunPython(create_schema, migrations.RunPython.noop),
        migrations.CreateModel(
            name='Event',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                ('actor_id', models.BigIntegerField(null=True)),
                ('actor_username', models.CharField(blank=True, max_length=150)),
                ('action', models.CharField(max_length=64)),
                ('target', models.CharField(blank=True, max_length=300)),
                ('remote_addr', models.GenericIPAddressField(null=True)),
                ('user_agent', models.CharField(blank=True, max_length=300)),
                ('details', models.JSONField(default=dict)),
            ],
            options={
                'db_table': 'audit"."event',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['-at'], name='audit_event_at_idx'), models.Index(fields=['action', '-at'], name='audit_event_action_idx'), models.Index(fields=['actor_id', '-at'], name='audit_event_actor_idx')],
            },
        ),
            migrations.RunPython(make_append_only, migrations.RunPython.noop),
    ]
