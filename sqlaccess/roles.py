"""The login roles and workspace schemas themselves: DDL on the administrative connection.

CREATE/ALTER/DROP ROLE need a role that may create roles (DATABASE_URL's
administrator; the owner role may not, on purpose). The workspace schema
belongs to the lake's owner role, with USAGE and CREATE granted to the login:
were the login its owner, it could grant CREATE back to itself after the
quota check took it away. What the person creates in it is theirs.
"""

from django.conf import settings
from psycopg import sql

# Attributes re-asserted on every grant and rotation: a role someone altered
# by hand is put back.
LOGIN_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT"


class RoleConflict(RuntimeError):
    """A role of that name exists on the server but is no login of this lake."""


def role_name(user_id: int) -> str:
    return f"{settings.SQL_ACCESS_ROLE_PREFIX}_u{int(user_id)}"


def workspace_name(user_id: int) -> str:
    return f"user_{int(user_id)}"


def role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def _settings_statements(role: sql.Identifier) -> list[sql.Composed]:
    limits = {
        "statement_timeout": f"{settings.SQL_ACCESS_STATEMENT_TIMEOUT_SECONDS}s",
        "idle_in_transaction_session_timeout": f"{settings.SQL_ACCESS_IDLE_IN_TRANSACTION_SECONDS}s",
        # Superuser-only to change: unlike the two above, a session cannot lift it.
        "temp_file_limit": f"{settings.SQL_ACCESS_TEMP_FILE_LIMIT_MB}MB",
    }
    return [sql.SQL("ALTER ROLE {} SET {} = {}").format(role, sql.Identifier(name), sql.Literal(value))
            for name, value in limits.items()]


def create_or_rotate(cursor, *, user_id: int, password: str, database: str) -> None:
    """The login with a new password, its limits and grants, and its workspace schema."""
    name, schema = role_name(user_id), workspace_name(user_id)
    role, workspace = sql.Identifier(name), sql.Identifier(schema)
    verb = "ALTER" if role_exists(cursor, name) else "CREATE"
    cursor.execute(sql.SQL(verb + " ROLE {} " + LOGIN_ATTRIBUTES + " CONNECTION LIMIT {} PASSWORD {}").format(
        role, sql.Literal(settings.SQL_ACCESS_CONNECTION_LIMIT), sql.Literal(password)))
    cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(settings.DB_READER_ROLE), role))
    for statement in _settings_statements(role):
        cursor.execute(statement)
    cursor.execute(sql.SQL("ALTER ROLE {} SET search_path = {}, user_data, timeseries, analytics").format(
        role, workspace))
    # CONNECT to this database only (bootstrap revoked it from PUBLIC); no TEMPORARY.
    cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role))
    cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
        workspace, sql.Identifier(settings.DB_OWNER_ROLE)))
    cursor.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(workspace))
    cursor.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(workspace, role))


def disable_and_disconnect(cursor, role: str) -> int:
    """NOLOGIN first, so no new session starts, then end the ones that are open."""
    cursor.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(role)))
    return terminate_sessions(cursor, role)


def terminate_sessions(cursor, role: str) -> int:
    # The timeout makes each call wait until that backend is gone.
    cursor.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                   "WHERE usename = %s AND pid <> pg_backend_pid()", [role])
    return cursor.fetchone()[0]


def drop(cursor, *, user_id: int) -> None:
    """Everything the login owns here (its workspace's objects), the workspace, and the role."""
    name, schema = role_name(user_id), workspace_name(user_id)
    role = sql.Identifier(name)
    if role_exists(cursor, name):
        # Also revokes its privileges here and on the database itself (CONNECT).
        cursor.execute(sql.SQL("DROP OWNED BY {}").format(role))
    cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))
