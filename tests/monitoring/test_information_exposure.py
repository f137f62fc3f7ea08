"""What the app role and anonymous callers learn about the server: only what they need.

The app role is no member of pg_monitor: it cannot read other roles' query
text (literals, passwords in ALTER ROLE), only the masked view ops.session_activity()
gives the dashboards. Anonymous /health/ready says ok or fail per check;
the server version, role and worker names are for ops.
"""

import pytest
from django.conf import settings
from django.db import connections

from core.bootstrap import admin_connect
from core.extensions import SETTINGS_SQL, extension_status

pytestmark = pytest.mark.django_db(databases=["default", "owner"])

SECRET = "SELECT 'alice-secret-search-words' AS words, 48856613 AS lat_e7"


@pytest.fixture
def admin_session(django_db_setup):
    """Another role's session whose last query carries literals; idle, so it stays in pg_stat_activity."""
    conn = admin_connect(dbname=settings.DATABASES["default"]["NAME"])
    conn.execute(SECRET)
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    conn.execute(SECRET)
    yield pid
    conn.close()


def test_the_app_role_is_no_monitor_and_cannot_read_other_sessions_queries(admin_session):
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_has_role(current_user, 'pg_monitor', 'USAGE'),"
                       " pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')")
        assert cursor.fetchone() == (False, False)
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [admin_session])
        assert cursor.fetchone()[0] == "<insufficient privilege>"


def test_the_dashboards_see_every_session_with_literals_masked(admin_session):
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT role, state, query FROM ops.session_activity() WHERE pid = %s", [admin_session])
        role, state, query = cursor.fetchone()
    assert (role, state) == (settings.DATABASE_ADMIN["USER"] or role, "idle")
    assert query == "SELECT ? AS words, ? AS lat_e7"


@pytest.mark.parametrize(("text", "masked"), [
    ("SELECT * FROM t WHERE name = 'it''s' AND n IN (1, 2.5, 3e10)",
     "SELECT * FROM t WHERE name = ? AND n IN (?, ?, ?)"),
    ("ALTER ROLE x LOGIN PASSWORD 'hunter2'", "ALTER ROLE x LOGIN PASSWORD ?"),
    ("SELECT E'\\\\x00', $tag$ body 'quoted' $tag$, t1.c2 FROM t1", "SELECT ?, ?, t1.c2 FROM t1"),
    ("SELECT 'unterminated because the text was cut", "SELECT ?"),
])
def test_the_database_masks_literals_like_the_pages_do(text, masked):
    from monitoring.catalog import mask_literals

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT ops.mask_literals(%s)", [text])
        assert cursor.fetchone()[0] == masked
    assert mask_literals(text) == masked


def test_the_extension_page_still_knows_what_is_preloaded():
    # Superuser-only settings: the app role reads them through ops.extension_settings().
    with connections["default"].cursor() as cursor:
        statuses = {s.name: s for s in extension_status(cursor)}
        cursor.execute("SELECT * FROM ops.extension_settings()")
        seen = cursor.fetchone()
    assert "vector" in statuses
    with admin_connect(dbname=settings.DATABASES["default"]["NAME"]) as conn:
        assert conn.execute(SETTINGS_SQL).fetchone() == seen


def _leaks(body: str) -> list[str]:
    return [word for word in ("PostgreSQL", settings.DB_APP_ROLE, "worker(s)", "PONG") if word in body]


def test_anonymous_readiness_is_a_status_without_details(client):
    response = client.get("/health/ready")
    body = response.json()
    assert set(body) == {"status", "checks"}
    assert set(body["checks"]) == {"database", "redis", "workers"}
    assert all(set(check) == {"status", "ms"} for check in body["checks"].values())
    assert body["checks"]["database"]["status"] == "ok"
    assert _leaks(response.content.decode()) == []


def test_ops_and_the_metrics_token_get_the_details(client, otto, alice, settings):
    client.force_login(alice)
    assert _leaks(client.get("/health/ready").content.decode()) == []  # a user is not ops
    client.force_login(otto)
    detail = client.get("/health/ready").json()["checks"]["database"]["detail"]
    assert detail.startswith("PostgreSQL") and detail.endswith(f"as {settings.DB_APP_ROLE}")
    client.logout()
    settings.METRICS_TOKEN = "scrape-me"
    body = client.get("/health/ready", HTTP_AUTHORIZATION="Bearer scrape-me").json()
    assert body["checks"]["redis"]["detail"] == "PONG"
