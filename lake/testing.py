"""Test-database set-up that mirrors production: bootstrap, then migrate as the owner.

pytest-django's own set-up would create and migrate the test database
through one alias; ours has two roles on one database, so tests build it the
way `manage.py serve` does, on a database named test_<name>.
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from psycopg import sql

from lake.bootstrap import admin_connect, bootstrap

TRUNCATE_SCHEMAS = ("user_data", "imports", "timeseries", "analytics", "vectors", "ops")


def _point_aliases_at(name: str) -> None:
    for alias in connections:
        connections[alias].close()
        connections[alias].settings_dict["NAME"] = name
        settings.DATABASES[alias]["NAME"] = name
    settings.DATABASE_ADMIN["NAME"] = name


def create_test_database() -> str:
    base = settings.DATABASE_ADMIN["NAME"]
    name = base if base.startswith("test_") else f"test_{base}"
    suffix = os.environ.get("PYTEST_XDIST_WORKER")
    if suffix:
        name = f"{name}_{suffix}"
    drop_test_database(name)
    _point_aliases_at(name)
    bootstrap(database=name)
    with admin_connect(dbname=name) as conn:
        # Test runs only: pytest-django empties Django's own tables between
        # transactional tests with TRUNCATE through the app connection. Never
        # granted in a real database; our schemas are cleaned by the owner.
        conn.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT TRUNCATE ON TABLES TO {}").format(
                sql.Identifier(settings.DB_OWNER_ROLE), sql.Identifier(settings.DB_APP_ROLE)
            )
        )
    call_command("migrate", database="owner", verbosity=0, interactive=False)
    return name


def drop_test_database(name: str) -> None:
    for alias in connections:
        connections[alias].close()
    with admin_connect(dbname="postgres") as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def truncate_lake() -> None:
    """Empty every table of ours and every account, as the owner (tests only)."""
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            """
            SELECT format('%%I.%%I', n.nspname, c.relname)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """,
            [list(TRUNCATE_SCHEMAS)],
        )
        tables = [row[0] for row in cursor.fetchall()] + ["public.auth_user", "django_session"]
        cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")


def database_url_for_children() -> str:
    """A DATABASE_URL that points child processes (RQ workers) at the test database."""
    config = settings.DATABASE_ADMIN
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or ""
    port = f":{config['PORT']}" if config.get("PORT") else ""
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{config['NAME']}?host={host}"
    return f"postgres://{user}{password}@{host}{port}/{config['NAME']}"
