"""The database, not the caller, says when an event happened and, for the app role, who did it.

Before this, the app role could insert a backdated event for any actor. A
BEFORE INSERT trigger now sets `at` to the statement's time for everyone and
records the writing role. For roles that row-level security applies to (the
app role), a named actor becomes the transaction's user
(`user_data.current_user_id()`, set by the request's or job's user scope) and
the username is read from the account: such a caller can record "me" or "no
one", never somebody else. Roles that bypass row-level security (the owner's
audited maintenance, which runs jobs on an admin's behalf) keep the actor
they name.
"""

from django.conf import settings
from django.db import migrations, models
from psycopg import sql

STAMP_FUNCTION = """
CREATE OR REPLACE FUNCTION audit.stamp_event() RETURNS trigger
    LANGUAGE plpgsql
    -- Qualified names only, and pg_temp last: a temporary table named like
    -- the accounts table must not answer the username lookup.
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    NEW.at := statement_timestamp();
    NEW.db_role := current_user;
    IF NOT (SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user) THEN
        IF NEW.actor_id IS NOT NULL THEN
            NEW.actor_id := user_data.current_user_id();
        END IF;
        NEW.actor_username := coalesce((SELECT u.username FROM {users} u WHERE u.id = NEW.actor_id), '');
    END IF;
    RETURN NEW;
END $$
"""


def create_trigger(apps, schema_editor):
    users = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql.SQL(STAMP_FUNCTION).format(users=sql.Identifier("public", users)))
        cursor.execute("REVOKE ALL ON FUNCTION audit.stamp_event() FROM PUBLIC")
        cursor.execute("CREATE TRIGGER event_stamp BEFORE INSERT ON audit.event "
                       "FOR EACH ROW EXECUTE FUNCTION audit.stamp_event()")


def drop_trigger(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS event_stamp ON audit.event")
        cursor.execute("DROP FUNCTION IF EXISTS audit.stamp_event()")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='db_role',
            field=models.CharField(blank=True, db_default='', editable=False, max_length=63),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
