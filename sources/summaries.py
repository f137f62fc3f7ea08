"""Sources' stats: materialized views in `analytics`, their per-user windows, refresh and cache.

Materialized views cannot carry row-level security, so the app role gets no
privilege on them at all. It reads them only through `security_barrier`
views that filter `user_id = user_data.current_user_id()`: the same setting
the policies use, so outside a user scope they show nothing. The owner
creates them (in each source's migration, frozen there) and refreshes them
here (REFRESH ... CONCURRENTLY, which needs a unique index and lets readers
go on reading the old contents meanwhile).

After an import or a deletion a source's `on_change` hook enqueues its
refresh (`enqueue`); the scheduler refreshes everything hourly (datalake/cron.py).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import django_rq
from django.db import transaction
from django.utils import timezone
from psycopg import sql

from core.models import MaintenanceRun
from core.rls import maintenance_scope
from core.runs import recorded_run
from core.usercache import invalidate_all_caches, invalidate_user_cache

log = logging.getLogger(__name__)

SCHEMA = "analytics"
# The maintenance-run kind every refresh is recorded under (ops' "stats last fresh").
RUN_KIND = "analytics"


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


def refresh(source: str, summaries: Sequence[Summary], user_id: int | None = None, *, actor=None) -> dict:
    """Refresh `summaries` concurrently, on the owner connection, then drop the
    affected cached pages. `user_id` names whose change prompted it (the views
    are refreshed whole either way: PostgreSQL has no partial refresh).
    """
    timings = {}
    # Recorded like partition maintenance, so ops see when stats were last fresh.
    details = {"source": source, "user_id": user_id}
    with recorded_run(RUN_KIND, details=details) as run:
        scope = maintenance_scope("analytics_refresh", actor=actor, target=f"user:{user_id}" if user_id else "all",
                                  details=details)
        with scope as connection, connection.cursor() as cursor:
            for summary in summaries:
                started = timezone.now()
                cursor.execute(sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(summary.mv))
                timings[summary.name] = round((timezone.now() - started).total_seconds() * 1000, 1)
        run.details = {**details, "ms": timings}
    if user_id is None:
        invalidate_all_caches()
    else:
        invalidate_user_cache(user_id)
    return timings


def enqueue(job, user_id: int | None = None) -> None:
    """Run `job(user_id)` on the "maintenance" queue once the caller's transaction commits."""
    transaction.on_commit(lambda: django_rq.get_queue("maintenance").enqueue(job, user_id))


def last_refreshed():
    run = MaintenanceRun.objects.filter(kind=RUN_KIND, outcome=MaintenanceRun.Outcome.OK).order_by(
        "-started_at").first()
    return run.finished_at if run else None
