"""Location stats: materialized views in `analytics`, their per-user windows, refresh and cache.

Materialized views cannot carry row-level security, so the app role gets no
privilege on them at all. It reads them only through `security_barrier`
views that filter `user_id = user_data.current_user_id()`: the same setting
the policies use, so outside a user scope they show nothing. The owner
creates and refreshes them (REFRESH ... CONCURRENTLY, which needs a unique
index and lets readers go on reading the old contents meanwhile).

After an import or a deletion the source's `on_change` hook enqueues
`refresh` (sources/location/jobs.py); the scheduler refreshes everything
hourly (datalake/cron.py).
"""

import logging
from dataclasses import dataclass

from django.utils import timezone
from psycopg import sql

from core.models import MaintenanceRun
from core.rls import maintenance_scope
from core.runs import recorded_run
from core.usercache import invalidate_all_caches, invalidate_user_cache

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


def refresh(user_id: int | None = None, *, actor=None) -> dict:
    """Refresh every summary concurrently, on the owner connection, then drop
    the affected cached pages. `user_id` names whose import prompted it (the
    views are refreshed whole either way: PostgreSQL has no partial refresh).
    """
    timings = {}
    # Recorded like partition maintenance, so ops see when stats were last fresh.
    with recorded_run("analytics", details={"user_id": user_id}) as run:
        scope = maintenance_scope("analytics_refresh", actor=actor, target=f"user:{user_id}" if user_id else "all",
                                  details={"user_id": user_id})
        with scope as connection, connection.cursor() as cursor:
            for summary in SUMMARIES:
                started = timezone.now()
                cursor.execute(sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(summary.mv))
                timings[summary.name] = round((timezone.now() - started).total_seconds() * 1000, 1)
        run.details = {"user_id": user_id, "ms": timings}
    if user_id is None:
        invalidate_all_caches()
    else:
        invalidate_user_cache(user_id)
    return timings


def last_refreshed():
    run = MaintenanceRun.objects.filter(kind="analytics", outcome=MaintenanceRun.Outcome.OK).order_by(
        "-started_at").first()
    return run.finished_at if run else None
