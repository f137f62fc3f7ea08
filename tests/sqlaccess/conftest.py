"""Real logins: each test's roles are dropped after it, and none of ours may be left on the server.

Role names are cluster-wide and derive from SQL_ACCESS_ROLE_PREFIX (the app
role's name), so runs with another DB_APP_ROLE on the same server never meet these.
"""

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from psycopg import sql

from core.bootstrap import admin_connect
from core.rls import user_scope
from sqlaccess.actions import revoke_login
from sqlaccess.models import SqlLogin
from tests.explore.test_isolation import SAMPLE_ROWS, insert

# The per-user tables a login reads; imports.* and ops.* are internals it must not.
READABLE_SAMPLES = sorted(t for t in SAMPLE_ROWS if t.split(".")[0] in ("user_data", "timeseries", "vectors"))


def our_roles() -> list[str]:
    with admin_connect() as conn:
        rows = conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY 1",
                            [settings.SQL_ACCESS_ROLE_PREFIX.replace("_", r"\_") + r"\_u%"]).fetchall()
    return [row[0] for row in rows]


def drop_orphaned_roles() -> list[str]:
    """Login roles of our prefix that a killed run left behind: no database grants them anything.

    Dropping a test database takes its CONNECT grants with it; a role still
    granted CONNECT somewhere (a developer's own lake on the same server) is left alone.
    """
    orphans = []
    with admin_connect() as conn:
        for role in our_roles():
            granted = conn.execute(
                "SELECT count(*) FROM pg_database d, aclexplode(coalesce(d.datacl, '{}')) a "
                "WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s)", [role]).fetchone()[0]
            if not granted:
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
                orphans.append(role)
    return orphans


@pytest.fixture
def logins(committed):
    """Database access for tests whose data real logins must see (committed), cleaned afterwards."""
    drop_orphaned_roles()
    yield
    users = get_user_model().objects
    for login in SqlLogin.objects.using("owner"):
        revoke_login(users.filter(pk=login.user_id).first() or users.model(pk=login.user_id))
    assert our_roles() == [], "a login role outlived its test"


@pytest.fixture
def lake(logins, make_user):
    """Alice and Bob, each with one row in every per-user table (committed)."""
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    for person in (alice, bob):
        for table in SAMPLE_ROWS:
            with user_scope(person.pk):
                insert(table, person)
    return alice, bob


def connect(dsn: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(dsn, autocommit=True, connect_timeout=10, **kwargs)
