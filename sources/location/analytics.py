"""Location stats: materialized views in `analytics`, their per-user windows, refresh and cache.

Materialized views cannot carry row-level security, so the app role gets no
privilege on them at all. It reads them only through `security_barrier`
views that filter `user_id = user_data.current_user_id()`: the same setting
the policies use, so outside a user scope they show nothing. The owner
creates (migration location/0002) and refreshes them (REFRESH ... CONCURRENTLY, which needs a unique
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


@dataclass(frozen=True)
class Summary:
    """One materialized view and the per-user view the app may read."""

    name: str  # the materialized view is `<name>_mv`; the app's view is `my_<name>`

    @property
    def mv(self) -> sql.Identifier:
        return sql.Identifier(SCHEMA, f"{self.name}_mv")

    @property
    def view(self) -> sql.Identifier:
        return sql.Identifier(SCHEMA, f"my_{self.name}")

    @property
    def view_label(self) -> str:
        return f"{SCHEMA}.my_{self.name}"


# What each view holds; their SQL (and unique keys, which REFRESH CONCURRENTLY
# needs) is in migration location/0002_search_map_analytics, frozen there.
SUMMARIES = (
    Summary("activity_periods"),  # distance and time per activity type per week and month (stats charts)
    Summary("top_places"),  # places visited most (top-level visits only)
    Summary("daily"),  # points, visits and segments per local day (points chart, overview heatmap)
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
