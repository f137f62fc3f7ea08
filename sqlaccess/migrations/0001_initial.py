"""Your own SQL: the login mapping, and `current_user_id()` keyed on the login too.

Frozen: the SQL is spelled out here. Role names come from the settings at
migration time, as every grant of ours does.

`current_user_id()` decides, per session:
- a session whose login is (a member of) the app or the owner role, or a
  superuser, names its user with the transaction's `app.user_id` (the console
  and workers, exactly as before);
- any other session gets the user its login role is mapped to in
  `sql_access.login` (NULL, so no rows, for a login nobody mapped). Such a
  session may set `app.user_id` to anything: it is never read for it.

The body is a SQL-standard one (`RETURN …`), so its names are bound when it is
created, under the fixed search_path set below, and a caller's search_path
cannot redirect `pg_has_role` or `current_setting` to functions of their own.
It carries no `SET search_path` clause on purpose: that would stop the planner
from inlining it into every policy, and every row a policy filters would pay a
function call (measured: bench/current_user_id_bench.py). For the same reason
the app role's own sessions, the hot path, are recognized by a plain name
comparison before any membership test. The mapping lookup is the SECURITY
DEFINER function, with its own fixed search_path.
"""

from django.conf import settings
from django.db import migrations, models
from psycopg import sql

LOGIN_USER_FUNCTION = """
CREATE FUNCTION user_data.sql_login_user_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT l.user_id FROM sql_access.login l WHERE l.role_name = session_user $$
"""
CURRENT_USER_FUNCTION = """
CREATE OR REPLACE FUNCTION user_data.current_user_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN session_user = {app}::name
          OR pg_catalog.pg_has_role(session_user, {app}, 'MEMBER')
          OR pg_catalog.pg_has_role(session_user, {owner}, 'MEMBER')
        THEN nullif(pg_catalog.current_setting('app.user_id', true), '')::bigint
        ELSE user_data.sql_login_user_id()
    END
"""
# core/migrations/0001_schemas.py's body, for going back.
PREVIOUS_CURRENT_USER_FUNCTION = """
CREATE OR REPLACE FUNCTION user_data.current_user_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.user_id', true), '')::bigint $$
"""


def create_schema(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        # The mapping of logins to people: the owner's alone. Nobody else gets
        # USAGE; the SECURITY DEFINER function reads it for a login's session.
        cursor.execute("CREATE SCHEMA IF NOT EXISTS sql_access")
        cursor.execute("REVOKE ALL ON SCHEMA sql_access FROM PUBLIC")


def drop_schema(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS sql_access CASCADE")


def create_functions(apps, schema_editor):
    app, owner = settings.DB_APP_ROLE, settings.DB_OWNER_ROLE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("REVOKE ALL ON ALL TABLES IN SCHEMA sql_access FROM PUBLIC")
        cursor.execute(LOGIN_USER_FUNCTION)
        cursor.execute("REVOKE ALL ON FUNCTION user_data.sql_login_user_id() FROM PUBLIC")
        # Every role a policy runs for needs EXECUTE, even on the branch it never takes.
        for role in (app, settings.DB_READER_ROLE):
            cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION user_data.sql_login_user_id() TO {}").format(
                sql.Identifier(role)))
        cursor.execute("SET LOCAL search_path = pg_catalog, pg_temp")
        cursor.execute(sql.SQL(CURRENT_USER_FUNCTION).format(app=sql.Literal(app), owner=sql.Literal(owner)))
        cursor.execute("RESET search_path")


def restore_functions(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PREVIOUS_CURRENT_USER_FUNCTION)
        cursor.execute("DROP FUNCTION IF EXISTS user_data.sql_login_user_id()")


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("core", "0003_app_role_reads_maintenance_runs"),
        ("audit", "0003_redact_on_delete_everything"),
    ]

    operations = [
        migrations.RunPython(create_schema, drop_schema),
        migrations.CreateModel(
            name="SqlLogin",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("user_id", models.BigIntegerField()),
                ("role_name", models.CharField(max_length=63)),
                ("workspace", models.CharField(max_length=63)),
                ("created_at", models.DateTimeField(db_default=models.functions.Now())),
                ("rotated_at", models.DateTimeField(null=True)),
                ("workspace_bytes", models.BigIntegerField(default=0)),
                ("quota_state", models.CharField(
                    choices=[("ok", "Within quota"), ("warned", "Near its quota"), ("blocked", "Over quota")],
                    default="ok", max_length=8)),
                ("checked_at", models.DateTimeField(null=True)),
                ("sessions_counted_through", models.DateField(null=True)),
            ],
            options={"db_table": 'sql_access"."login'},
        ),
        migrations.AddConstraint(
            model_name="sqllogin",
            constraint=models.UniqueConstraint(fields=("user_id",), name="sql_login_one_per_user"),
        ),
        migrations.AddConstraint(
            model_name="sqllogin",
            constraint=models.UniqueConstraint(fields=("role_name",), name="sql_login_role_unique"),
        ),
        migrations.CreateModel(
            name="SqlSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("user_id", models.BigIntegerField()),
                ("role_name", models.CharField(max_length=63)),
                ("pid", models.IntegerField()),
                ("backend_start", models.DateTimeField()),
                ("last_seen", models.DateTimeField()),
            ],
            options={"db_table": 'sql_access"."session'},
        ),
        migrations.AddConstraint(
            model_name="sqlsession",
            constraint=models.UniqueConstraint(fields=("role_name", "pid", "backend_start"),
                                               name="sql_session_seen_once"),
        ),
        migrations.AddIndex(
            model_name="sqlsession",
            index=models.Index(fields=["user_id", "backend_start"], name="sql_session_user_day_idx"),
        ),
        migrations.RunPython(create_functions, restore_functions),
    ]
