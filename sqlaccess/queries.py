"""Reading logins for the page, the command and the ops view (owner connection: see models)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from sqlaccess import grants
from sqlaccess.models import SqlLogin, SqlSession
from sqlaccess.upkeep import quota_bytes


def readable_catalog() -> list[dict]:
    with connections["owner"].cursor() as cursor:
        return grants.readable_catalog(cursor)


def open_sessions() -> dict[str, int]:
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT usename, count(*) FROM pg_stat_activity s JOIN sql_access.login l"
                       " ON l.role_name = s.usename WHERE s.backend_type = 'client backend' GROUP BY usename")
        return dict(cursor.fetchall())


def login_overview(days: int = 7) -> list[dict]:
    """Every login: who, its workspace and quota, open sessions, sessions per day lately."""
    logins = list(SqlLogin.objects.using("owner").order_by("user_id"))
    names = dict(get_user_model().objects.using("owner").filter(pk__in=[login.user_id for login in logins])
                 .values_list("pk", "username"))
    since = timezone.now().date() - dt.timedelta(days=days - 1)
    per_day = {}
    for row in (SqlSession.objects.using("owner").filter(backend_start__date__gte=since)
                .annotate(day=TruncDate("backend_start")).values("user_id", "day").annotate(n=Count("id"))):
        per_day.setdefault(row["user_id"], {})[row["day"]] = row["n"]
    last_seen = dict(SqlSession.objects.using("owner").values("user_id").annotate(last=Max("last_seen"))
                     .values_list("user_id", "last"))
    now_open = open_sessions()
    dates = [since + dt.timedelta(days=n) for n in range(days)]
    return [{
        "user_id": login.user_id, "username": names.get(login.user_id, f"#{login.user_id}"),
        "role": login.role_name, "workspace": login.workspace, "created_at": login.created_at,
        "rotated_at": login.rotated_at, "workspace_bytes": login.workspace_bytes, "quota_bytes": quota_bytes(),
        "quota_state": login.quota_state, "quota_label": login.get_quota_state_display(),
        "checked_at": login.checked_at, "sessions_now": now_open.get(login.role_name, 0),
        "last_seen": last_seen.get(login.user_id),
        "per_day": [{"day": day, "sessions": per_day.get(login.user_id, {}).get(day, 0)} for day in dates],
    } for login in logins]
