"""Roles, database and extensions: what must exist before the first migration.

Runs on the administrative connection (DATABASE_URL as given: a superuser
such as `postgres`, or the embedded server's superuser). Idempotent: it
re-asserts role attributes on every run, so a role someone altered by hand
(say, granted BYPASSRLS) is put back.
"""

import psycopg
from django.conf import settings
from psycopg import sql

from core import extensions, legacy


def admin_connect(dbname: str | None = None, **overrides) -> psycopg.Connection:
    config = settings.DATABASE_ADMIN
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": dbname or config["NAME"],
        "autocommit": True,
    }
    params.update(overrides)
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None})


def _role_statement(name: str, attributes: str, password: str) -> sql.Composed:
    statement = sql.SQL("ROLE {} " + attributes).format(sql.Identifier(name))
    if password:
        statement = sql.SQL("{} LOGIN PASSWORD {}").format(statement, sql.Literal(password))
    return statement


def ensure_roles(cursor) -> None:
    owner, app = settings.DB_OWNER_ROLE, settings.DB_APP_ROLE
    # The owner runs migrations and audited maintenance: it owns the tables
    # and may bypass row-level security, but it is no superuser.
    owner_attrs = "NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS INHERIT"
    owner_attrs += "" if settings.DB_OWNER_PASSWORD else " NOLOGIN"
    # The app serves every request: it can log in and do nothing else.
    app_attrs = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT"
    for name, attrs, password in (
        (owner, owner_attrs, settings.DB_OWNER_PASSWORD),
        (app, app_attrs, settings.DB_APP_PASSWORD),
    ):
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        verb = "ALTER " if cursor.fetchone() else "CREATE "
        cursor.execute(sql.SQL(verb) + _role_statement(name, attrs, password))
    # The group every SQL-access login (sqlaccess/) belongs to: it holds their
    # SELECT grants and can never log in, own, or bypass anything itself.
    reader_attrs = "NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION"
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [settings.DB_READER_ROLE])
    verb = "ALTER " if cursor.fetchone() else "CREATE "
    cursor.execute(sql.SQL(verb) + _role_statement(settings.DB_READER_ROLE, reader_attrs, ""))
    # On the role, so every session of it has it, ours or not: a transaction
    # left idle (a stalled download, a bug) cannot hold VACUUM or DETACH back for long.
    cursor.execute(sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = {}").format(
        sql.Identifier(app), sql.Literal(f"{settings.DB_APP_IDLE_IN_TRANSACTION_SECONDS}s")))
    # pg_monitor reads every session's query text, literals and passwords
    # included: the owner has it, and owns the SECURITY DEFINER functions that
    # give the app role's dashboards a masked view (monitoring.catalog). An
    # app role that had it from an older version loses it here.
    cursor.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(owner)))
    cursor.execute("SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                   "WHERE r.rolname = %s AND m.roleid = 'pg_monitor'::regrole", [app])
    if cursor.fetchone():
        cursor.execute(sql.SQL("REVOKE pg_monitor FROM {}").format(sql.Identifier(app)))
    # Ops cancel or terminate a stuck session from the Activity page; the job runs as the owner.
    # pg_signal_backend reaches every session but a superuser's, and reads nothing.
    cursor.execute(sql.SQL("GRANT pg_signal_backend TO {}").format(sql.Identifier(owner)))
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cursor.fetchone()[0]:
        # A non-superuser administrator needs membership to SET ROLE to the owner.
        cursor.execute(sql.SQL("GRANT {} TO current_user").format(sql.Identifier(owner)))


def ensure_database(name: str) -> bool:
    with admin_connect(dbname="postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return not exists


def grant_database(cursor, database: str) -> None:
    owner, app = sql.Identifier(settings.DB_OWNER_ROLE), sql.Identifier(settings.DB_APP_ROLE)
    db = sql.Identifier(database)
    for statement in (
        "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        "GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {db} TO {owner}",
        # TEMPORARY: the import loader stages rows in a temp table, because
        # COPY is refused on tables with row-level security.
        "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT USAGE, CREATE ON SCHEMA public TO {owner}",
        "GRANT USAGE ON SCHEMA public TO {app}",
        # Django's own tables (auth, sessions, migrations) live in public.
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ):
        cursor.execute(sql.SQL(statement).format(db=db, owner=owner, app=app))
    cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'partman'")
    if cursor.fetchone():
        cursor.execute(sql.SQL("GRANT ALL ON SCHEMA partman TO {}").format(owner))
        cursor.execute(sql.SQL("GRANT ALL ON ALL TABLES IN SCHEMA partman TO {}").format(owner))
        cursor.execute(sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO {}").format(owner))
        cursor.execute(sql.SQL("GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO {}").format(owner))


def bootstrap(database: str | None = None, install_extensions: bool = True) -> list[str]:
    """Create the roles, the database and its grants, and the available extensions."""
    database = database or settings.DATABASE_ADMIN["NAME"]
    messages = []
    if ensure_database(database):
        messages.append(f"created database {database}")
    with admin_connect(dbname=database) as conn, conn.cursor() as cursor:
        ensure_roles(cursor)
        messages.append(f"roles {settings.DB_OWNER_ROLE} (owner) and {settings.DB_APP_ROLE} (app) ready")
        if install_extensions:
            messages += extensions.install_available(cursor)
        grant_database(cursor, database)
        messages += legacy.rename_legacy_history(cursor)
    return messages
