"""Maintenance actions ops start from the console: validated, audited, run as RQ jobs.

The view shows a confirmation page, then calls `request_action`, which
checks the target, writes the audit row and enqueues the job on the
"maintenance" queue when the transaction commits. The job (monitoring/jobs.py)
does the work as the owner role and records a MaintenanceRun.
"""

from dataclasses import dataclass

import django_rq
from django.db import connections, models
from rq.registry import FailedJobRegistry

from audit.actions import record_event
from lake.rls import user_scope
from monitoring import jobs
from monitoring.maintenance import resolve_table


class ActionError(ValueError):
    """The request cannot be carried out as asked; the message says why."""


@dataclass(frozen=True)
class ActionSpec:
    title: str
    explanation: str
    target_label: str = ""  # what the target is, where the action takes one


class Action(models.TextChoices):
    PARTITIONS_AHEAD = "partitions-ahead", "Create partitions ahead"
    VACUUM = "vacuum", "VACUUM (ANALYZE) a table"
    ANALYZE_PARENTS = "analyze-parents", "ANALYZE partitioned parents"
    REFRESH_VIEWS = "refresh-views", "Refresh analytics views"
    REQUEUE = "requeue", "Requeue failed jobs"

    @property
    def spec(self) -> ActionSpec:
        return SPECS[self]


SPECS = {
    Action.PARTITIONS_AHEAD: ActionSpec(
        "Create partitions ahead",
        "Premakes this month's and the next months' partitions of every partitioned table the lake manages, "
        "and moves rows out of the default partitions into partitions of their own. Takes short locks on the "
        "parents; safe while imports run (they wait a moment)."),
    Action.VACUUM: ActionSpec(
        "VACUUM (ANALYZE) a table",
        "Removes dead rows so their space is reused, freezes old rows (wraparound) and refreshes the planner's "
        "statistics. Reads the whole table; on a partitioned table, every partition in turn. Does not block "
        "reads or writes.", "table (schema.table)"),
    Action.ANALYZE_PARENTS: ActionSpec(
        "ANALYZE partitioned parents",
        "Samples every partitioned table as a whole so the planner estimates queries across partitions well. "
        "Autovacuum never does this for a parent. Reads a sample of each table; blocks nothing."),
    Action.REFRESH_VIEWS: ActionSpec(
        "Refresh analytics views",
        "Recomputes the materialized views in schema analytics (CONCURRENTLY: readers keep the old contents "
        "until the new ones are ready)."),
    Action.REQUEUE: ActionSpec(
        "Requeue failed jobs",
        "Puts failed jobs back on their queue to run again. Fix what made them fail first, or they fail again.",
        "queue, or queue:job id"),
}


def parse_requeue_target(target: str) -> tuple[str, str | None]:
    """'imports' (every failed job of that queue) or 'imports:<job id>' (one job)."""
    from django.conf import settings

    queue, _, job_id = target.partition(":")
    if queue not in settings.RQ_QUEUES:
        raise ActionError(f"there is no queue {queue!r}; choose one of {', '.join(settings.RQ_QUEUES)}")
    if job_id:
        registry = FailedJobRegistry(queue=django_rq.get_queue(queue))
        if job_id not in registry.get_job_ids(cleanup=False):
            raise ActionError(f"job {job_id} is not among {queue}'s failed jobs (already requeued or expired?)")
    return queue, job_id or None


def validate_target(action: Action, target: str) -> str:
    target = (target or "").strip()
    if action == Action.VACUUM:
        try:
            schema, name, _ = resolve_table(target)
        except ValueError as error:
            raise ActionError(str(error)) from None
        return f"{schema}.{name}"
    if action == Action.REQUEUE:
        parse_requeue_target(target)
        return target
    return ""


def request_action(action: Action, *, actor, target: str = "", request=None) -> str:
    """Audit the request and enqueue its job once this transaction commits. Returns the target."""
    target = validate_target(action, target)
    # The ops pages open no user scope; this one does, because the database
    # takes the audit record's actor from the transaction's user.
    with user_scope(actor.pk):
        record_event(f"ops.{action.value}", actor=actor, target=target or "all",
                     details={"action": action.value}, request=request)
        # django-rq's on_db_commit mode holds the job until the audit row commits.
        django_rq.get_queue("maintenance").enqueue(jobs.run_action, action.value, target, actor.pk,
                                                   job_timeout=3600)
    return target


def count_default_rows(label: str, *, actor, request=None) -> tuple[str, int]:
    """The exact row count of a partitioned table's default partition: (partition, rows).

    The pages show the statistics collector's estimate, which needs no access
    to anyone's rows. An exact count has to read them, so it goes through the
    owner's audited maintenance scope, on request only, with a time limit.
    """
    from psycopg import sql

    from lake.rls import maintenance_scope

    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, c.relname
              FROM pg_partitioned_table p
              JOIN pg_class r ON r.oid = p.partrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
              JOIN pg_class c ON c.oid = p.partdefid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE rn.nspname || '.' || r.relname = %s
            """,
            [label],
        )
        row = cursor.fetchone()
    if row is None:
        raise ActionError(f"{label} is not a partitioned table with a default partition")
    schema, name = row
    with maintenance_scope("health.count_default", actor=actor, target=f"{schema}.{name}") as connection, \
            connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '15s'")
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, name)))
        return f"{schema}.{name}", cursor.fetchone()[0]
