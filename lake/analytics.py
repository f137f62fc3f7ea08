"""Stats: materialized views in `analytics`, their per-user windows, refresh and cache.

Materialized views cannot carry row-level security, so the app role gets no
privilege on them at all. It reads them only through `security_barrier`
views that filter `user_id = user_data.current_user_id()`: the same setting
the policies use, so outside a user scope they show nothing. The owner
creates and refreshes them (REFRESH ... CONCURRENTLY, which needs a unique
index and lets readers go on reading the old contents meanwhile).

The imports pipeline calls `refresh(user_id)` (or `enqueue_refresh`) after a
run finishes and `invalidate_user_cache(user_id)`; the scheduler refreshes
everything hourly (datalake/cron.py).
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from psycopg import sql

log = logging.getLogger(__name__)

SCHEMA = "analytics"


def local_time(column: str) -> str:
    """The wall-clock time the source stated, as `timestamp` (no zone).

    Rows without an offset are shown in UTC. Works on a plain timestamp so
    that date_trunc and ::date are immutable and independent of the session
    TimeZone.
    """
    return f"(({column} AT TIME ZONE 'UTC') + make_interval(mins => coalesce(utc_offset_minutes, 0)))"


@dataclass(frozen=True)
class Summary:
    """One materialized view and the per-user view the app may read."""

    name: str  # the materialized view; the app's view is `my_<name>`
    query: str
    key: tuple[str, ...]  # unique index columns, for REFRESH CONCURRENTLY
    columns: tuple[str, ...]  # what the per-user view shows (user_id first)

    @property
    def mv(self) -> sql.Identifier:
        return sql.Identifier(SCHEMA, f"{self.name}_mv")

    @property
    def view(self) -> sql.Identifier:
        return sql.Identifier(SCHEMA, f"my_{self.name}")

    @property
    def view_label(self) -> str:
        return f"{SCHEMA}.my_{self.name}"


SUMMARIES = (
    # Distance and time per activity type per week and per month (the stats charts).
    Summary(
        "activity_periods",
        f"""
        SELECT s.user_id, g.grain,
               date_trunc(g.grain, {local_time("s.started_at")})::date AS period_start,
               s.activity_type,
               count(*) AS segments,
               coalesce(sum(s.distance_m), 0)::double precision AS distance_m,
               coalesce(sum(extract(epoch FROM s.ended_at - s.started_at)), 0)::double precision AS duration_s
          FROM timeseries.activity_segment s
         CROSS JOIN (VALUES ('week'), ('month')) AS g(grain)
         GROUP BY 1, 2, 3, 4
        """,
        key=("user_id", "grain", "period_start", "activity_type"),
        columns=("user_id", "grain", "period_start", "activity_type", "segments", "distance_m", "duration_s"),
    ),
    # Places visited most (top-level visits only: a child visit repeats its parent).
    Summary(
        "top_places",
        """
        SELECT v.user_id,
               coalesce(nullif(v.place_id, ''), nullif(v.name, ''),
                        (v.lat_e7 / 10000)::text || ',' || (v.lng_e7 / 10000)::text) AS place_key,
               coalesce((array_agg(nullif(v.name, '') ORDER BY v.started_at DESC)
                         FILTER (WHERE v.name <> ''))[1], '') AS name,
               coalesce((array_agg(nullif(v.address, '') ORDER BY v.started_at DESC)
                         FILTER (WHERE v.address <> ''))[1], '') AS address,
               count(*) AS visits,
               coalesce(sum(extract(epoch FROM v.ended_at - v.started_at)), 0)::double precision AS duration_s,
               max(v.started_at) AS last_visit,
               avg(v.lat_e7)::integer AS lat_e7, avg(v.lng_e7)::integer AS lng_e7
          FROM timeseries.place_visit v
         WHERE NOT v.is_child
         GROUP BY 1, 2
        """,
        key=("user_id", "place_key"),
        columns=("user_id", "place_key", "name", "address", "visits", "duration_s", "last_visit", "lat_e7", "lng_e7"),
    ),
    # Points, visits and segments per local day: the points-per-day chart and
    # the overview's calendar heatmap.
    Summary(
        "daily",
        f"""
        SELECT user_id, day, sum(points)::bigint AS points, sum(visits)::bigint AS visits,
               sum(segments)::bigint AS segments
          FROM (
            SELECT user_id, {local_time("recorded_at")}::date AS day, count(*) AS points, 0 AS visits, 0 AS segments
              FROM timeseries.location_point GROUP BY 1, 2
            UNION ALL
            SELECT user_id, {local_time("started_at")}::date, 0, count(*), 0
              FROM timeseries.place_visit GROUP BY 1, 2
            UNION ALL
            SELECT user_id, {local_time("started_at")}::date, 0, 0, count(*)
              FROM timeseries.activity_segment GROUP BY 1, 2
          ) AS per_kind
         GROUP BY 1, 2
        """,
        key=("user_id", "day"),
        columns=("user_id", "day", "points", "visits", "segments"),
    ),
)


def create_statements() -> list[sql.Composed]:
    """DDL for the migration: each materialized view, its unique index, its per-user view."""
    app = sql.Identifier(settings.DB_APP_ROLE)
    statements = []
    for summary in SUMMARIES:
        index = sql.Identifier(f"{summary.name}_mv_key")
        statements += [
            sql.SQL("CREATE MATERIALIZED VIEW {} AS " + summary.query + " WITH DATA").format(summary.mv),
            # REFRESH ... CONCURRENTLY needs a unique index covering every row.
            sql.SQL("CREATE UNIQUE INDEX {} ON {} ({})").format(
                index, summary.mv, sql.SQL(", ").join(map(sql.Identifier, summary.key))
            ),
            # The schema's default privileges would hand the app SELECT on it: take that back.
            sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}").format(summary.mv, app),
            sql.SQL(
                "CREATE VIEW {} WITH (security_barrier) AS SELECT {} FROM {} "
                "WHERE user_id = user_data.current_user_id()"
            ).format(summary.view, sql.SQL(", ").join(map(sql.Identifier, summary.columns)), summary.mv),
            sql.SQL("REVOKE ALL ON {} FROM PUBLIC").format(summary.view),
            sql.SQL("GRANT SELECT ON {} TO {}").format(summary.view, app),
        ]
    return statements


def drop_statements() -> list[sql.Composed]:
    return [sql.SQL("DROP MATERIALIZED VIEW IF EXISTS {} CASCADE").format(s.mv) for s in SUMMARIES]


def refresh(user_id: int | None = None, *, actor=None) -> dict:
    """Refresh every summary concurrently, on the owner connection, then drop
    the affected cached pages. `user_id` names whose import prompted it (the
    views are refreshed whole either way: PostgreSQL has no partial refresh).
    """
    from lake.models import MaintenanceRun
    from lake.rls import maintenance_scope

    # Recorded like partition maintenance, so ops see when stats were last fresh.
    run = MaintenanceRun.objects.using("owner").create(kind="analytics", details={"user_id": user_id})
    timings = {}
    try:
        scope = maintenance_scope("analytics_refresh", actor=actor, target=f"user:{user_id}" if user_id else "all",
                                  details={"user_id": user_id})
        with scope as connection, connection.cursor() as cursor:
            for summary in SUMMARIES:
                started = timezone.now()
                cursor.execute(sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(summary.mv))
                timings[summary.name] = round((timezone.now() - started).total_seconds() * 1000, 1)
    except Exception as error:
        log.exception("analytics refresh failed")
        run.outcome, run.error = MaintenanceRun.Outcome.FAILED, f"{type(error).__name__}: {error}"
        raise
    else:
        run.outcome = MaintenanceRun.Outcome.OK
    finally:
        run.finished_at, run.details = timezone.now(), {"user_id": user_id, "ms": timings}
        with transaction.atomic(using="owner"):
            run.save(using="owner", update_fields=["outcome", "error", "finished_at", "details"])
    if user_id is None:
        invalidate_all_caches()
    else:
        invalidate_user_cache(user_id)
    return timings


def enqueue_refresh(user_id: int | None = None) -> None:
    """Refresh on the "maintenance" queue once the caller's transaction commits."""
    import django_rq

    from lake import jobs

    transaction.on_commit(lambda: django_rq.get_queue("maintenance").enqueue(jobs.refresh_analytics, user_id))


def last_refreshed():
    from lake.models import MaintenanceRun

    run = MaintenanceRun.objects.filter(kind="analytics", outcome=MaintenanceRun.Outcome.OK).order_by(
        "-started_at").first()
    return run.finished_at if run else None


# --- Per-user cache of the overview and stats pages -----------------------------
# A version number per user is part of every cached key: invalidating bumps it,
# so stale entries are never read again and expire on their own.
CACHE_TIMEOUT = 6 * 3600
_GENERATION_KEY = "lake:generation"


def _version_key(user_id: int) -> str:
    return f"lake:user:{int(user_id)}:version"


def cache_key(user_id: int, name: str) -> str:
    version = cache.get(_version_key(user_id)) or 0
    generation = cache.get(_GENERATION_KEY) or 0
    return f"lake:user:{int(user_id)}:{generation}.{version}:{name}"


def cached_for_user(user_id: int, name: str, compute):
    key = cache_key(user_id, name)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_TIMEOUT)
    return value


def invalidate_user_cache(user_id: int) -> None:
    """Forget the cached overview and stats of one user (an import finished, data deleted)."""
    key = _version_key(user_id)
    cache.add(key, 0, None)
    cache.incr(key)


def invalidate_all_caches() -> None:
    cache.add(_GENERATION_KEY, 0, None)
    cache.incr(_GENERATION_KEY)
