"""A person's own login, proved with real psycopg sessions as that login.

Alice and Bob each have one row in every per-user table. Alice connects with
the connection string the grant hands out and tries, in turn, everything a
curious or hostile person at psql might: read Bob's rows, name Bob's id,
shadow the functions the policy calls, write, read the internals and Bob's
workspace, read a partition, run forever. Only her own rows ever answer.
"""

import threading
import time

import psycopg
import pytest
from django.conf import settings
from psycopg import errors

from audit.models import Event
from core.bootstrap import admin_connect
from sqlaccess import actions, grants
from sqlaccess.upkeep import check_all
from tests.explore.test_isolation import WHEN
from tests.sqlaccess.conftest import READABLE_SAMPLES, connect, our_roles

DENIED = errors.InsufficientPrivilege


def scalar(conn, query, params=None):
    return conn.execute(query, params).fetchone()[0]


def test_every_per_user_table_is_readable_and_shows_only_her_rows(lake):
    alice, bob = lake
    granted = actions.grant_login(alice)
    with connect(granted.dsn) as conn:
        assert scalar(conn, "SELECT session_user") == granted.role
        assert scalar(conn, "SELECT user_data.current_user_id()") == alice.pk
        for table in READABLE_SAMPLES:
            # Some samples bring a second row of their own (a webhook delivery's event): all hers.
            total = scalar(conn, f"SELECT count(*) FROM {table}")
            assert total >= 1, table
            assert scalar(conn, f"SELECT count(*) FROM {table} WHERE user_id = %s", [alice.pk]) == total, table
            assert scalar(conn, f"SELECT count(*) FROM {table} WHERE user_id = %s", [bob.pk]) == 0, table
    with admin_connect() as admin:
        readable = {f"{s}.{n}" for s, n, kind in grants.readable_relations(admin.cursor()) if kind != "v"}
    assert readable == set(READABLE_SAMPLES)


def test_the_analytics_views_show_only_her_rows(lake):
    alice, bob = lake
    with admin_connect() as admin:
        views = [f"{s}.{n}" for s, n, kind in grants.readable_relations(admin.cursor()) if kind == "v"]
        for (mv,) in admin.execute("SELECT format('%I.%I', schemaname, matviewname) FROM pg_matviews "
                                   "WHERE schemaname = 'analytics'").fetchall():
            admin.execute(f"REFRESH MATERIALIZED VIEW {mv}")
    assert "analytics.my_daily" in views
    granted = actions.grant_login(alice)
    with connect(granted.dsn) as conn:
        for view in views:
            assert scalar(conn, f"SELECT count(*) FROM {view} WHERE user_id <> %s", [alice.pk]) == 0, view
        assert scalar(conn, "SELECT count(*) FROM analytics.my_daily") == 1


def test_naming_bob_changes_nothing(lake):
    alice, bob = lake
    granted = actions.grant_login(alice)
    with connect(granted.dsn) as conn:
        conn.execute(f"SET app.user_id = {bob.pk}")
        assert scalar(conn, "SELECT user_data.current_user_id()") == alice.pk
        conn.execute("SELECT set_config('app.user_id', %s, false)", [str(bob.pk)])
        assert scalar(conn, "SELECT count(*) FROM timeseries.location_point WHERE user_id = %s", [bob.pk]) == 0
        with conn.transaction():
            conn.execute("SELECT set_config('app.user_id', %s, true)", [str(bob.pk)])
            assert scalar(conn, "SELECT count(*) FROM user_data.device") == 1
            assert scalar(conn, "SELECT min(user_id) FROM user_data.device") == alice.pk
        # The group role she belongs to is no way round: the mapping follows the login.
        conn.execute(f'SET ROLE "{settings.DB_READER_ROLE}"')
        assert scalar(conn, "SELECT user_data.current_user_id()") == alice.pk
        conn.execute("RESET ROLE")
        with pytest.raises(DENIED):
            conn.execute(f"SET SESSION AUTHORIZATION {settings.DB_APP_ROLE}")


def test_shadowing_the_policys_functions_from_her_workspace_changes_nothing(lake):
    alice, bob = lake
    granted = actions.grant_login(alice)
    with connect(granted.dsn) as conn:
        schema = granted.workspace
        conn.execute(f"CREATE FUNCTION {schema}.pg_has_role(name, name, text) RETURNS boolean "
                     "LANGUAGE sql AS 'SELECT true'")
        conn.execute(f"CREATE FUNCTION {schema}.current_setting(text, boolean) RETURNS text "
                     f"LANGUAGE sql AS $$ SELECT '{bob.pk}' $$")
        conn.execute(f"SET search_path = {schema}, pg_catalog, user_data")
        conn.execute(f"SET app.user_id = {bob.pk}")
        assert scalar(conn, "SELECT pg_has_role(session_user, 'x', 'MEMBER')") is True  # hers answers her
        assert scalar(conn, "SELECT user_data.current_user_id()") == alice.pk
        assert scalar(conn, "SELECT count(*) FROM timeseries.location_point WHERE user_id = %s", [bob.pk]) == 0
        with pytest.raises(DENIED):  # the mapping itself is out of reach
            conn.execute("SELECT * FROM sql_access.login")


@pytest.mark.parametrize("statement", [
    "INSERT INTO {table} (user_id) SELECT user_id FROM {table}",
    "UPDATE {table} SET user_id = user_id",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
])
def test_writes_to_the_lake_are_refused(lake, statement):
    alice, _ = lake
    granted = actions.grant_login(alice)
    with connect(granted.dsn) as conn:
        for table in READABLE_SAMPLES:
            with pytest.raises(DENIED):
                conn.execute(statement.format(table=table))
        assert scalar(conn, "SELECT count(*) FROM user_data.device") == 1


@pytest.mark.parametrize("query", [
    "SELECT * FROM ops.archived_summary",
    "SELECT * FROM ops.maintenance_run",
    "SELECT * FROM audit.event",
    "SELECT * FROM archive.anything",
    "SELECT * FROM imports.import_run",
    "SELECT * FROM imports.import_member",
    "SELECT * FROM sql_access.session",
    "SELECT * FROM public.auth_user",
    "SELECT * FROM public.django_session",
    "SELECT * FROM analytics.daily_mv",
    "SELECT * FROM ops.session_activity()",
    "CREATE TABLE public.mine (x int)",
    "CREATE TEMPORARY TABLE mine (x int)",
    "CREATE TABLE user_data.mine (x int)",
])
def test_the_lakes_internals_are_refused(lake, query):
    alice, _ = lake
    granted = actions.grant_login(alice)
    with connect(granted.dsn) as conn, pytest.raises(DENIED):
        conn.execute(query)


def test_bobs_workspace_is_refused_and_partitions_cannot_be_read(lake):
    alice, bob = lake
    hers, his = actions.grant_login(alice), actions.grant_login(bob)
    with connect(his.dsn) as conn:
        conn.execute("CREATE TABLE diary AS SELECT * FROM user_data.keep_note")
    with connect(hers.dsn) as conn:
        for query in (f"SELECT * FROM {his.workspace}.diary", f"CREATE TABLE {his.workspace}.x (i int)"):
            with pytest.raises(DENIED):
                conn.execute(query)
        for partition in (f"timeseries.location_point_p{WHEN:%Y_%m}", "timeseries.location_point_default",
                          f"timeseries.place_visit_p{WHEN:%Y_%m}"):
            with pytest.raises(DENIED):
                conn.execute(f"SELECT count(*) FROM {partition}")


def test_her_workspace_takes_views_of_her_own_data(lake):
    alice, bob = lake
    hers, his = actions.grant_login(alice), actions.grant_login(bob)
    with connect(hers.dsn) as conn:
        conn.execute("CREATE VIEW my_points AS SELECT user_id, recorded_at FROM timeseries.location_point")
        conn.execute("CREATE MATERIALIZED VIEW my_notes AS SELECT user_id, title FROM user_data.keep_note")
        conn.execute("CREATE TABLE scratch AS SELECT * FROM user_data.device")
        assert scalar(conn, f"SELECT count(*) FROM {hers.workspace}.my_points") == 1
        assert scalar(conn, "SELECT min(user_id) FROM my_notes") == alice.pk
        assert scalar(conn, "SELECT count(*) FROM scratch") == 1
        # The workspace belongs to the lake, not to her: she cannot open it to anyone.
        conn.execute(f"GRANT USAGE ON SCHEMA {hers.workspace} TO {his.role}")  # grants nothing, warns
        conn.execute(f"GRANT SELECT ON my_notes TO {his.role}")
    with connect(his.dsn) as conn, pytest.raises(DENIED):
        conn.execute(f"SELECT * FROM {hers.workspace}.my_notes")


def test_a_long_query_is_cancelled_by_the_statement_timeout(lake, settings):
    alice, _ = lake
    settings.SQL_ACCESS_STATEMENT_TIMEOUT_SECONDS = 1
    granted = actions.grant_login(alice)
    with connect(granted.dsn) as conn:
        assert scalar(conn, "SHOW statement_timeout") == "1s"
        assert scalar(conn, "SELECT setting::int FROM pg_settings WHERE name = 'temp_file_limit'") == \
            settings.SQL_ACCESS_TEMP_FILE_LIMIT_MB * 1024
        with pytest.raises(errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(10)")
        with pytest.raises(DENIED):  # superuser-only: a session cannot lift it
            conn.execute("SET temp_file_limit = -1")


def test_a_query_that_lifted_its_own_timeout_is_cancelled_by_the_check(lake, settings):
    alice, _ = lake
    settings.SQL_ACCESS_STATEMENT_TIMEOUT_SECONDS = 1
    granted = actions.grant_login(alice)
    outcome = {}

    def run():
        with connect(granted.dsn) as conn:
            conn.execute("SET statement_timeout = 0")
            try:
                conn.execute("SELECT pg_sleep(30)")
                outcome["error"] = None
            except psycopg.Error as error:
                outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(2.5)
    summary = check_all()
    thread.join(20)
    assert summary["cancelled"] == 1
    assert isinstance(outcome["error"], errors.QueryCanceled)


def test_revoking_ends_her_sessions_and_her_login(lake):
    alice, _ = lake
    granted = actions.grant_login(alice)
    conn = connect(granted.dsn)
    conn.execute(f"CREATE TABLE {granted.workspace}.kept AS SELECT 1 AS x")
    assert actions.revoke_login(alice) is True
    with pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")
    conn.close()
    with pytest.raises(psycopg.OperationalError):
        connect(granted.dsn)
    with admin_connect() as admin:
        assert admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s",
                             [granted.workspace]).fetchone()[0] == 0
    assert our_roles() == []
    event = Event.objects.using("owner").filter(action="sqlaccess.revoked", target=f"user:{alice.pk}").get()
    assert event.details["sessions_ended"] == 1 and event.actor_id == alice.pk
    assert actions.revoke_login(alice) is False


def test_a_new_password_ends_the_old_sessions_and_keeps_her_workspace(lake):
    alice, _ = lake
    first = actions.grant_login(alice)
    conn = connect(first.dsn)
    conn.execute("CREATE TABLE kept AS SELECT 1 AS x")
    with admin_connect() as admin:
        before = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [first.role]).fetchone()[0]
    second = actions.grant_login(alice)
    assert second.rotated and second.role == first.role and second.password != first.password
    with pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")
    conn.close()
    with admin_connect() as admin:
        after = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [first.role]).fetchone()[0]
    assert before.startswith("SCRAM-SHA-256$") and after != before
    with connect(second.dsn) as conn:
        assert scalar(conn, "SELECT x FROM kept") == 1
    assert list(Event.objects.using("owner").filter(action__startswith="sqlaccess.", target=f"user:{alice.pk}")
                .order_by("id").values_list("action", flat=True)) == ["sqlaccess.created", "sqlaccess.rotated"]


def test_the_login_has_no_powers_of_its_own(lake):
    alice, _ = lake
    granted = actions.grant_login(alice)
    with admin_connect() as admin:
        row = admin.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication, rolconnlimit,"
            " (SELECT count(*) FROM pg_class WHERE relowner = r.oid),"
            " pg_has_role(r.oid, %s, 'MEMBER'), pg_has_role(r.oid, %s, 'MEMBER'), pg_has_role(r.oid, %s, 'MEMBER')"
            " FROM pg_roles r WHERE rolname = %s",
            [settings.DB_READER_ROLE, settings.DB_APP_ROLE, settings.DB_OWNER_ROLE, granted.role]).fetchone()
        reader_can_login = admin.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s",
                                         [settings.DB_READER_ROLE]).fetchone()[0]
    assert row == (False, False, False, False, False, settings.SQL_ACCESS_CONNECTION_LIMIT, 0, True, False, False)
    assert reader_can_login is False
