"""The core schemas, the current-user function, and what the app role may touch.

Frozen: everything this migration needs is spelled out here, so later edits to
live modules (core.schemas, core.rls) cannot change what it does.
"""

from django.conf import settings
from django.db import migrations
from psycopg import sql

SCHEMAS = ("user_data", "imports", "analytics", "vectors", "timeseries", "archive", "ops")
# `archive` is missing on purpose: detached partitions live there, out of the app role's reach.
APP_USAGE = ("user_data", "imports", "analytics", "vectors", "timeseries", "ops")
CURRENT_USER_FUNCTION = """
CREATE OR REPLACE FUNCTION user_data.current_user_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.user_id', true), '')::bigint $$
"""


def create_schemas(apps, schema_editor):
    app = sql.Identifier(settings.DB_APP_ROLE)
    with schema_editor.connection.cursor() as cursor:
        for schema in SCHEMAS:
            cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            cursor.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(schema)))
        for schema in APP_USAGE:
            cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), app))
        # user_data, imports and ops hold ordinary tables: new ones are readable and
        # writable by the app (row-level security still filters user_data).
        # timeseries gets no default grant: its partitions must stay out of
        # the app's reach, so each parent table is granted by its migration.
        for schema in ("user_data", "imports", "ops"):
            cursor.execute(
                sql.SQL(
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
                ).format(sql.Identifier(schema), app)
            )
            cursor.execute(
                sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
                    sql.Identifier(schema), app
                )
            )
        cursor.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO {}").format(app)
        )
        cursor.execute(CURRENT_USER_FUNCTION)
        cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION user_data.current_user_id() TO {}").format(app))


def drop_schemas(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS user_data.current_user_id()")
        for schema in reversed(SCHEMAS):
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_schemas, drop_schemas)]
