"""Test-database set-up that mirrors production: bootstrap, then migrate as the owner.

pytest-django's own set-up would create and migrate the test database
through one alias; ours has two roles on one database, so tests build it the
way `manage.py serve` does, on a database named test_<name>.
"""

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_console(env: dict, *, threads: int = 8, timeout: float = 30):
    """The production web server (gunicorn) on a free loopback port, for tests and benchmarks.

    Yields (url, process); stops the server afterwards.
    """
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "datalake.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--threads", str(threads), "--worker-class", "gthread"]
    server = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR,  # noqa: S603 - fixed argv
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/health/live", timeout=2)  # noqa: S310 - loopback URL we built
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    message = "the test server did not start: " + server.stderr.read().decode()[-2000:]
                    raise RuntimeError(message) from None
                time.sleep(0.2)
        yield url, server
    finally:
        server.terminate()
        server.wait(timeout=20)
