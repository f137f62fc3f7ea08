"""Let "delete everything" blank the content of a person's audit events, and nothing else.

The log stays append-only: the trigger still refuses every DELETE, TRUNCATE
and UPDATE except the one audit.redact_user_events() makes, which replaces
an event's details with a fixed marker and leaves who, what, when, where and
the target as written. The function redacts only the events of the user the
transaction is scoped to (user_data.current_user_id()), and must run before
her rows are deleted: events about her devices, runs and uploads are found
through them.
"""

from django.conf import settings
from django.db import migrations
from psycopg import sql

REDACTED = '{"redacted": "deleted with everything else"}'

REFUSE_CHANGE = """
CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('audit.redacting', true) = 'on'
       AND NEW.details = 'REDACTED'::jsonb
       AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_username, NEW.action, NEW.target, NEW.remote_addr,
            NEW.user_agent)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_id, OLD.actor_username, OLD.action, OLD.target, OLD.remote_addr,
            OLD.user_agent)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
""".replace("'REDACTED'", f"'{REDACTED}'")

REFUSE_CHANGE_BEFORE = """
CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""

# Events about the person: hers (actor), about her account or anything of hers
# (target; read before her rows are deleted, past row-level security, so no
# caller can name another's object), and the system's about her uploads
# (details.user, as upload expiry writes it).
REDACT = """
CREATE OR REPLACE FUNCTION audit.redact_user_events(p_user bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    redacted integer;
BEGIN
    IF p_user IS NULL OR p_user IS DISTINCT FROM user_data.current_user_id() THEN
        RAISE EXCEPTION 'only the events of the user in scope can be redacted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('audit.redacting', 'on', true);
    UPDATE audit.event SET details = 'REDACTED'::jsonb
     WHERE (actor_id = p_user OR target = 'user:' || p_user OR details->>'user' = p_user::text
            OR target IN (SELECT 'device:' || id FROM user_data.device WHERE user_id = p_user
                          UNION ALL SELECT 'import_run:' || id FROM imports.import_run WHERE user_id = p_user
                          UNION ALL SELECT 'upload:' || id FROM imports.upload WHERE user_id = p_user))
       AND details IS DISTINCT FROM 'REDACTED'::jsonb;
    GET DIAGNOSTICS redacted = ROW_COUNT;
    PERFORM set_config('audit.redacting', 'off', true);
    RETURN redacted;
END $$
""".replace("'REDACTED'", f"'{REDACTED}'")


def forwards(apps, schema_editor):
    app = sql.Identifier(settings.DB_APP_ROLE)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(REFUSE_CHANGE)
        cursor.execute(REDACT)
        cursor.execute("REVOKE ALL ON FUNCTION audit.redact_user_events(bigint) FROM PUBLIC")
        cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION audit.redact_user_events(bigint) TO {}").format(app))


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS audit.redact_user_events(bigint)")
        cursor.execute(REFUSE_CHANGE_BEFORE)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_database_stamps_time_and_actor'),
        ('location', '0001_initial'),
        ('imports', '0001_initial'),
        ('uploads', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
