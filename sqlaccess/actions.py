"""Granting, rotating and revoking a person's own database login: what the page and the command call.

Each function owns its transactions. The role DDL and the mapping row commit
together on the administrative connection (CREATE ROLE is transactional),
inside the owner connection's transaction that records the audit event, so
an event is written only for a change that happened.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from psycopg import sql
from psycopg.conninfo import make_conninfo

from audit.actions import record_event
from core.bootstrap import admin_connect
from sqlaccess import grants, roles
from sqlaccess.models import SqlLogin, SqlSession

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Granted:
    user_id: int
    role: str
    workspace: str
    password: str
    dsn: str
    rotated: bool

    def as_json(self, username: str) -> dict:
        return {"user": username, "role": self.role, "dsn": self.dsn}


def connection_parameters(role: str, password: str | None = None) -> dict:
    """host, port, dbname, user (and password) a client on this machine connects with."""
    admin = settings.DATABASE_ADMIN
    params = {
        "host": settings.SQL_ACCESS_HOST or admin.get("HOST") or "",
        "port": settings.SQL_ACCESS_PORT or str(admin.get("PORT") or ""),
        "dbname": admin["NAME"],
        "user": role,
    }
    if password:
        params["password"] = password
    if settings.SQL_ACCESS_SSLMODE:
        params["sslmode"] = settings.SQL_ACCESS_SSLMODE
    return {key: value for key, value in params.items() if value}


def is_local_server() -> bool:
    """A Unix socket or loopback: no network between the client and the server."""
    host = settings.SQL_ACCESS_HOST or settings.DATABASE_ADMIN.get("HOST") or ""
    return host.startswith("/") or host in LOCAL_HOSTS


def login_of(user) -> SqlLogin | None:
    return SqlLogin.objects.using("owner").filter(user_id=user.pk).first()


def grant_login(user, *, actor=None, request=None) -> Granted:
    """Create the person's login and workspace, or give the existing login a new password.

    Rotating ends the login's open sessions: a new password is usually asked
    for because the old one went somewhere it should not have.
    """
    name, schema = roles.role_name(user.pk), roles.workspace_name(user.pk)
    password = secrets.token_urlsafe(24)
    existing = login_of(user)
    with transaction.atomic(using="owner"):
        with connections["owner"].cursor() as cursor:
            grants.sync_reader_privileges(cursor)
        with admin_connect(autocommit=False) as admin, admin.cursor() as cursor:
            if existing is None and roles.role_exists(cursor, name):
                raise roles.RoleConflict(
                    f"a database role named {name} already exists on this server and is not a login of this "
                    "lake (another lake's, or left over): drop it, or set SQL_ACCESS_ROLE_PREFIX")
            roles.create_or_rotate(cursor, user_id=user.pk, password=password,
                                   database=settings.DATABASE_ADMIN["NAME"])
            ended = roles.terminate_sessions(cursor, name) if existing else 0
            now = timezone.now()
            if existing is None:
                cursor.execute(
                    "INSERT INTO sql_access.login (user_id, role_name, workspace, created_at, workspace_bytes,"
                    " quota_state, sessions_counted_through) VALUES (%s, %s, %s, %s, 0, 'ok', %s)",
                    [user.pk, name, schema, now, (now - dt.timedelta(days=1)).date()])
            else:
                cursor.execute("UPDATE sql_access.login SET rotated_at = %s WHERE user_id = %s", [now, user.pk])
            record_event("sqlaccess.rotated" if existing else "sqlaccess.created", actor=actor or user,
                         target=f"user:{user.pk}", request=request, using="owner",
                         details={"role": name, "workspace": schema, "sessions_ended": ended})
            admin.commit()
    dsn = make_conninfo(**connection_parameters(name, password))
    return Granted(user.pk, name, schema, password, dsn, rotated=existing is not None)


def revoke_login(user, *, actor=None, request=None, reason: str = "revoked") -> bool:
    """End the login's sessions and drop it with its workspace; False when there was none."""
    login = login_of(user)
    if login is None:  # a role of that name without a mapping here is not ours to drop
        return False
    name = login.role_name
    with admin_connect() as admin, admin.cursor() as cursor:
        # Autocommit: the role can no longer log in, and its sessions are gone,
        # before (and even if not) the rest goes.
        ended = roles.disable_and_disconnect(cursor, name) if roles.role_exists(cursor, name) else 0
    sessions_today = _sessions_on(user.pk, timezone.now().date())
    with transaction.atomic(using="owner"), admin_connect(autocommit=False) as admin, admin.cursor() as cursor:
        roles.drop(cursor, user_id=user.pk)
        cursor.execute("DELETE FROM sql_access.session WHERE user_id = %s", [user.pk])
        cursor.execute("DELETE FROM sql_access.login WHERE user_id = %s", [user.pk])
        record_event("sqlaccess.revoked", actor=actor or user, target=f"user:{user.pk}", request=request,
                     using="owner", details={"role": name, "workspace": roles.workspace_name(user.pk),
                                             "reason": reason, "sessions_ended": ended,
                                             "sessions_today": sessions_today})
        admin.commit()
    return True


def _sessions_on(user_id: int, day: dt.date) -> int:
    return SqlSession.objects.using("owner").filter(user_id=user_id, backend_start__date=day).count()


def set_login_enabled(user, enabled: bool, *, actor=None, request=None) -> bool:
    """Suspend (NOLOGIN, open sessions ended) or resume a person's login; False when there is none.

    For a deactivated account: its SQL login must stop with it, but the
    workspace stays, as the account does, until someone deletes it.
    """
    login = login_of(user)
    if login is None:
        return False
    with transaction.atomic(using="owner"), admin_connect(autocommit=False) as admin, admin.cursor() as cursor:
        if enabled:
            cursor.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(login.role_name)))
            ended = 0
        else:
            ended = roles.disable_and_disconnect(cursor, login.role_name)
        record_event("sqlaccess.resumed" if enabled else "sqlaccess.suspended", actor=actor, request=request,
                     target=f"user:{user.pk}", using="owner",
                     details={"role": login.role_name, "sessions_ended": ended})
        admin.commit()
    return True
