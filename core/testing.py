"""Test-database set-up that mirrors production: bootstrap, then migrate as the owner.

pytest-django's own set-up would create and migrate the test database
through one alias; ours has two roles on one database, so tests build it the
way `manage.py serve` does, on a database named test_<name>.
"""

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from psycopg import sql

from core.bootstrap import admin_connect, bootstrap

TRUNCATE_SCHEMAS = ("user_data", "imports", "timeseries", "analytics", "vectors", "ops")


def _close(alias: str) -> None:
    connections[alias].close()
    # A pool (settings.DB_POOL) keeps its connections, and the database name it
    # was made with, past close(): it goes too, and is made anew on next use.
    connections[alias].close_pool()


def _point_aliases_at(name: str) -> None:
    for alias in connections:
        _close(alias)
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
        _close(alias)
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
    # A session of its own, so the worker goes with the arbiter if it has to be killed.
    server = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR,  # noqa: S603 - fixed argv
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
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
        # SIGINT is gunicorn's quick shutdown: a browser's idle keep-alive
        # connections would hold a graceful one (SIGTERM) for seconds per test.
        # A request thread still blocked on a half-sent body can hold even that
        # one; after a few seconds the whole process group is killed.
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


SCHEMA_SNAPSHOT_SCHEMAS = ("public", "user_data", "imports", "analytics", "vectors", "timeseries", "archive", "ops",
                           "audit", "sql_access")
# Monthly partitions are named after the month the database was made in.
_DATED = r"_p[0-9]{4}_[0-9]{2}$"
_ACL = """array_to_string(ARRAY(SELECT coalesce(nullif(g.rolname, ''), 'PUBLIC') || '=' || a.privilege_type
                                  || CASE WHEN a.is_grantable THEN '*' ELSE '' END
                             FROM aclexplode({}) a LEFT JOIN pg_roles g ON g.oid = a.grantee
                            ORDER BY 1), ',')"""
_CATALOG_QUERIES = {
    "schema": f"""
        SELECT n.nspname, pg_get_userbyid(n.nspowner), {_ACL.format('n.nspacl')}
          FROM pg_namespace n WHERE n.nspname = ANY(%(schemas)s)""",
    "relation": f"""
        SELECT n.nspname || '.' || c.relname, c.relkind, pg_get_userbyid(c.relowner), c.relrowsecurity,
               c.relforcerowsecurity, coalesce(pg_get_partkeydef(c.oid), ''), coalesce(c.reloptions::text, ''),
               {_ACL.format('c.relacl')}, coalesce(pg_get_expr(c.relpartbound, c.oid), '')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND c.relname !~ %(dated)s""",
    "column": """
        SELECT n.nspname || '.' || c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
               a.attnotnull, coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity, a.attgenerated
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0
           AND NOT a.attisdropped AND c.relname !~ %(dated)s""",
    "constraint": """
        SELECT n.nspname || '.' || c.relname, k.conname, pg_get_constraintdef(k.oid)
          FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND c.relname !~ %(dated)s""",
    "index": """
        SELECT n.nspname || '.' || i.relname, pg_get_indexdef(i.oid)
          FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
          JOIN pg_namespace n ON n.oid = i.relnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND c.relname !~ %(dated)s""",
    "policy": """
        SELECT schemaname || '.' || tablename, policyname, permissive, cmd, roles::text, coalesce(qual, ''),
               coalesce(with_check, '')
          FROM pg_policies WHERE schemaname = ANY(%(schemas)s) AND tablename !~ %(dated)s""",
    "function": f"""
        SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               pg_get_userbyid(p.proowner), p.prosecdef, coalesce(p.proconfig::text, ''), p.provolatile,
               {_ACL.format('p.proacl')}, pg_get_functiondef(p.oid)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%(schemas)s) AND p.prokind IN ('f', 'p')
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')""",
    "view": """
        SELECT n.nspname || '.' || c.relname, pg_get_viewdef(c.oid, true)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('v', 'm')""",
    "trigger": """
        SELECT n.nspname || '.' || c.relname, t.tgname, pg_get_triggerdef(t.oid)
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND NOT t.tgisinternal AND c.relname !~ %(dated)s""",
    "default privileges": f"""
        SELECT pg_get_userbyid(d.defaclrole), coalesce(n.nspname, ''), d.defaclobjtype, {_ACL.format('d.defaclacl')}
          FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace""",
}


def describe_schema(cursor) -> str:
    """Every object of ours in the database as sorted lines of text, roles named by their part.

    Two databases with the same description have the same tables, columns (in
    order), keys, indexes, policies, grants, functions and views. Partitions
    named after a month are left out: which months exist depends on when the
    database was made.
    """
    names = {settings.DB_OWNER_ROLE: "<owner>", settings.DB_APP_ROLE: "<app>",
             settings.DB_READER_ROLE: "<reader>", settings.DATABASE_ADMIN["USER"] or "": "<admin>"}

    def generic(text: str) -> str:
        for role, part in names.items():
            if role:
                text = re.sub(rf"\b{re.escape(role)}\b", part, text)
        return text

    lines = []
    for kind, query in _CATALOG_QUERIES.items():
        cursor.execute(query, {"schemas": list(SCHEMA_SNAPSHOT_SCHEMAS), "dated": _DATED})
        rows = cursor.fetchall()
        if kind == "function":
            # A body may name a role (user_data.current_user_id() trusts the app
            # and owner roles by name): hashed once the names are generic.
            rows = [(*row[:-1], hashlib.md5(generic(row[-1]).encode()).hexdigest()) for row in rows]  # noqa: S324
        for row in sorted(rows, key=lambda r: tuple(str(v) for v in r)):
            lines.append(f"{kind}: {generic(' | '.join(str(v) for v in row))}")
    return "\n".join(lines) + "\n"
