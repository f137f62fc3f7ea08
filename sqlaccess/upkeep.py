"""The periodic check of every login: workspace quota, sessions seen, overlong queries.

Runs on the owner connection (it reads every login's sessions through
pg_monitor and signals them through pg_signal_backend; it owns the
workspace schemas, so it may take CREATE back and give it again).

Sessions are counted by sampling pg_stat_activity each time the check runs
(SQL_ACCESS_CHECK_SECONDS): a session shorter than the interval may go
uncounted. Each finished day's count goes to the audit log once.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from psycopg import sql

from audit.actions import record_event
from sqlaccess.models import SqlLogin, SqlSession

log = logging.getLogger(__name__)

WORKSPACE_BYTES = """
SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = %s AND c.relkind IN ('r', 'm', 'p')
"""


def check_all(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    logins = list(SqlLogin.objects.using("owner").order_by("user_id"))
    summary = {"logins": len(logins), "warned": [], "blocked": [], "unblocked": [], "cancelled": 0,
               "sessions_seen": 0, "days_audited": 0}
    for login in logins:
        with transaction.atomic(using="owner"):
            _check_quota(login, now, summary)
    summary["sessions_seen"] = _sample_sessions(logins, now)
    summary["cancelled"] = _cancel_overlong(logins)
    summary["days_audited"] = _audit_finished_days(logins, now)
    return summary


def quota_bytes() -> int:
    return settings.SQL_ACCESS_WORKSPACE_QUOTA_MB * 2**20


def _check_quota(login: SqlLogin, now, summary) -> None:
    with connections["owner"].cursor() as cursor:
        cursor.execute(WORKSPACE_BYTES, [login.workspace])
        size = int(cursor.fetchone()[0])
        limit = quota_bytes()
        state = (SqlLogin.QuotaState.BLOCKED if size > limit
                 else SqlLogin.QuotaState.WARNED if size > limit * settings.SQL_ACCESS_WORKSPACE_WARN
                 else SqlLogin.QuotaState.OK)
        grant = sql.SQL("{} CREATE ON SCHEMA {} {} {}")
        schema, role = sql.Identifier(login.workspace), sql.Identifier(login.role_name)
        if state == SqlLogin.QuotaState.BLOCKED and login.quota_state != state:
            # What exists stays readable and can be dropped; nothing new can be made.
            cursor.execute(grant.format(sql.SQL("REVOKE"), schema, sql.SQL("FROM"), role))
            summary["blocked"].append(login.role_name)
        elif state != SqlLogin.QuotaState.BLOCKED and login.quota_state == SqlLogin.QuotaState.BLOCKED:
            cursor.execute(grant.format(sql.SQL("GRANT"), schema, sql.SQL("TO"), role))
            summary["unblocked"].append(login.role_name)
        elif state == SqlLogin.QuotaState.WARNED and login.quota_state == SqlLogin.QuotaState.OK:
            summary["warned"].append(login.role_name)
    if state != login.quota_state:
        record_event(f"sqlaccess.quota_{state}", target=f"user:{login.user_id}", using="owner",
                     details={"role": login.role_name, "workspace": login.workspace, "bytes": size,
                              "quota_bytes": limit})
    login.workspace_bytes, login.quota_state, login.checked_at = size, state, now
    login.save(using="owner", update_fields=["workspace_bytes", "quota_state", "checked_at"])


def _sample_sessions(logins, now) -> int:
    if not logins:
        return 0
    users = {login.role_name: login.user_id for login in logins}
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT usename, pid, backend_start FROM pg_stat_activity "
                       "WHERE usename = ANY(%s) AND backend_type = 'client backend'", [list(users)])
        seen = cursor.fetchall()
        for role, pid, started in seen:
            cursor.execute(
                "INSERT INTO sql_access.session (user_id, role_name, pid, backend_start, last_seen)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT ON CONSTRAINT sql_session_seen_once"
                " DO UPDATE SET last_seen = EXCLUDED.last_seen", [users[role], role, pid, started, now])
    return len(seen)


def _cancel_overlong(logins) -> int:
    """A session may SET statement_timeout itself (PostgreSQL lets any session): this is the backstop."""
    if not logins:
        return 0
    limit = dt.timedelta(seconds=settings.SQL_ACCESS_STATEMENT_TIMEOUT_SECONDS)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity"
                       " WHERE usename = ANY(%s) AND state = 'active' AND now() - query_start > %s",
                       [[login.role_name for login in logins], limit])
        cancelled = cursor.fetchone()[0]
    if cancelled:
        log.warning("cancelled %d SQL-access queries running past %s", cancelled, limit)
    return cancelled


def _audit_finished_days(logins, now) -> int:
    """One audit event per login and finished day with sessions: how many it opened that day."""
    yesterday = now.date() - dt.timedelta(days=1)
    written = 0
    for login in logins:
        start = login.sessions_counted_through
        if start is not None and start >= yesterday:
            continue
        with transaction.atomic(using="owner"):
            sessions = SqlSession.objects.using("owner").filter(user_id=login.user_id,
                                                               backend_start__date__lte=yesterday)
            if start is not None:
                sessions = sessions.filter(backend_start__date__gt=start)
            per_day = {}
            for started in sessions.values_list("backend_start", flat=True):
                per_day[started.date()] = per_day.get(started.date(), 0) + 1
            for day, count in sorted(per_day.items()):
                record_event("sqlaccess.connections", target=f"user:{login.user_id}", using="owner",
                             details={"role": login.role_name, "day": day.isoformat(), "sessions": count})
                written += 1
            login.sessions_counted_through = yesterday
            login.save(using="owner", update_fields=["sessions_counted_through"])
    return written
