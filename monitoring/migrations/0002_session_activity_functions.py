"""The narrow, masked window the app role has on sessions and extension settings.

The app role is not in pg_monitor (core.bootstrap): it could read every
session's query text, literals and passwords included. These SECURITY
DEFINER functions, owned by the owner role (a pg_monitor member), give the
dashboards every session with its literals masked, vacuum progress, and
shared_preload_libraries and cron.database_name (monitoring.catalog).

Frozen: the functions are copied here as they were when this migration was
written; a later change to one gets a migration of its own.
"""

from django.conf import settings
from django.db import migrations
from psycopg import sql

MASK_LITERALS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION ops.mask_literals(query text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    -- Dollar-quoted bodies, then quoted strings (an unterminated one runs to
    -- the end: the text may have been cut), then numbers: each becomes ?.
    SELECT regexp_replace(regexp_replace(regexp_replace(query,
        '\$(\w*)\$.*?\$\1\$', '?', 'g'),
        '(?:[EeBbXxNn]|[Uu]&)?''(?:[^'']|'''')*''?', '?', 'g'),
        '\y\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\y', '?', 'g')
$fn$
"""
SESSION_ACTIVITY_FUNCTION = """
CREATE OR REPLACE FUNCTION ops.session_activity()
RETURNS TABLE (pid integer, database name, role name, application text, backend_type text, state text,
               wait_event_type text, wait_event text, xact_seconds float8, query_seconds float8,
               state_seconds float8, xmin_age integer, blocked_by integer[], query text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT a.pid, a.datname, a.usename, a.application_name, a.backend_type, a.state, a.wait_event_type,
           a.wait_event,
           extract(epoch FROM now() - a.xact_start)::float8,
           extract(epoch FROM now() - a.query_start)::float8,
           extract(epoch FROM now() - a.state_change)::float8,
           -- A transaction holds the horizon back by its snapshot (xmin) or, idle in
           -- READ COMMITTED, by its own transaction id; greatest() skips the NULL one.
           greatest(age(a.backend_xmin), age(a.backend_xid)),
           pg_blocking_pids(a.pid),
           -- Masked before it is cut, so no literal survives half-quoted.
           left(ops.mask_literals(a.query), 300)
      FROM pg_stat_activity a
     WHERE a.pid <> pg_backend_pid()
$fn$
"""
VACUUM_PROGRESS_FUNCTION = """
CREATE OR REPLACE FUNCTION ops.vacuum_progress()
RETURNS TABLE (pid integer, relation text, phase text, heap_blks_total bigint, heap_blks_scanned bigint,
               heap_blks_vacuumed bigint, index_vacuum_count bigint, seconds float8, is_auto boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT p.pid, p.relid::regclass::text, p.phase, p.heap_blks_total, p.heap_blks_scanned,
           p.heap_blks_vacuumed, p.index_vacuum_count,
           extract(epoch FROM now() - a.xact_start)::float8,
           a.query LIKE 'autovacuum:%'
      FROM pg_stat_progress_vacuum p
      JOIN pg_stat_activity a ON a.pid = p.pid
$fn$
"""
EXTENSION_SETTINGS_FUNCTION = """
CREATE OR REPLACE FUNCTION ops.extension_settings()
RETURNS TABLE (shared_preload_libraries text, cron_database_name text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT current_setting('shared_preload_libraries'),
           coalesce(current_setting('cron.database_name', true), 'postgres')
$fn$
"""
FUNCTIONS = (
    (MASK_LITERALS_FUNCTION, "ops.mask_literals(text)"),
    (SESSION_ACTIVITY_FUNCTION, "ops.session_activity()"),
    (VACUUM_PROGRESS_FUNCTION, "ops.vacuum_progress()"),
    (EXTENSION_SETTINGS_FUNCTION, "ops.extension_settings()"),
)


def create_functions(apps, schema_editor):
    app = sql.Identifier(settings.DB_APP_ROLE)
    with schema_editor.connection.cursor() as cursor:
        for body, signature in FUNCTIONS:
            cursor.execute(body)
            cursor.execute("REVOKE ALL ON FUNCTION " + signature + " FROM PUBLIC")
            cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION " + signature + " TO {}").format(app))


def drop_functions(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for _body, signature in reversed(FUNCTIONS):
            cursor.execute(f"DROP FUNCTION IF EXISTS {signature}")


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_functions, drop_functions),
    ]
