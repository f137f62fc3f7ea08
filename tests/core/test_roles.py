"""The app role can never bypass row-level security, asserted against the catalogs."""

import pytest
from django.conf import settings
from django.db import connections

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def role_facts(role):
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            """
            SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                   (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid),
                   (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid)
              FROM pg_roles r WHERE r.rolname = %s
            """,
            [role],
        )
        return cursor.fetchone()


def test_the_app_connects_as_the_app_role():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT current_user, session_user")
        assert cursor.fetchone() == (settings.DB_APP_ROLE, settings.DB_APP_ROLE)


def test_the_app_role_is_no_superuser_no_bypassrls_and_owns_nothing():
    superuser, bypass, createrole, createdb, tables, schemas = role_facts(settings.DB_APP_ROLE)
    assert (superuser, bypass, createrole, createdb) == (False, False, False, False)
    assert (tables, schemas) == (0, 0)


def test_the_owner_role_owns_our_tables_and_is_no_superuser():
    superuser, bypass, _, _, tables, schemas = role_facts(settings.DB_OWNER_ROLE)
    assert superuser is False
    assert bypass is True  # the audited maintenance path
    assert tables > 0 and schemas >= 6


def test_the_owner_connection_runs_as_the_owner():
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DB_OWNER_ROLE


def test_core_schemas_exist_and_the_app_cannot_use_archive():
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT nspname, has_schema_privilege(current_user, oid, 'USAGE') FROM pg_namespace "
            "WHERE nspname IN ('user_data', 'imports', 'analytics', 'vectors', 'timeseries', 'archive')"
        )
        usage = dict(cursor.fetchall())
    assert usage == {"user_data": True, "imports": True, "analytics": True, "vectors": True,
                     "timeseries": True, "archive": False}


def test_our_models_live_outside_public():
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('timeseries.location_point'), to_regclass('public.location_point')")
        assert cursor.fetchone() == ("timeseries.location_point", None)
