"""Our system checks catch a misconfigured app role against the real server."""

from django.conf import settings
from django.db import connections
from psycopg import sql

from core.bootstrap import admin_connect
from core.checks import check_app_role_is_subject_to_rls


def test_the_system_check_fails_when_the_app_role_gains_bypassrls(committed):
    assert check_app_role_is_subject_to_rls(None, databases=["default"]) == []
    role = sql.Identifier(settings.DB_APP_ROLE)
    with admin_connect() as conn:
        conn.execute(sql.SQL("ALTER ROLE {} BYPASSRLS").format(role))
    try:
        connections["default"].close()
        errors = check_app_role_is_subject_to_rls(None, databases=["default"])
        assert [e.id for e in errors] == ["lake.E002"]
    finally:
        with admin_connect() as conn:
            conn.execute(sql.SQL("ALTER ROLE {} NOBYPASSRLS").format(role))
        connections["default"].close()
