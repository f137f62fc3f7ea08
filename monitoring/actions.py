"""Maintenance actions ops start from the console: validated, audited, run as RQ jobs.

The view shows a confirmation page, then calls `request_action`, which
checks the target, writes the audit row and enqueues the job on the
"maintenance" queue when the transaction commits. The job (monitoring/jobs.py)
does the work as the owner role and records a MaintenanceRun.
"""

import uuid
from dataclasses import dataclass

import django_rq
from django.db import connections, models
from psycopg import sql
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from audit.actions import record_event
from core.rls import maintenance_scope, user_scope
from monitoring.maintenance import resolve_table

# Enqueued by name: monitoring.jobs imports this module, never the reverse.
RUN_ACTION_JOB = "monitoring.jobs.run_action"


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
    CANCEL_SESSION = "cancel-session", "Cancel a session's query"
    TERMINATE_SESSION = "terminate-session", "Terminate a session"

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
    Action.CANCEL_SESSION: ActionSpec(
        "Cancel a session's query",
        "Stops the query the session is running now (pg_cancel_backend); the session stays connected and its "
        "client sees an error for that query. Its open transaction, if any, is rolled back.",
        "process id (PID) from the Activity page"),
    Action.TERMINATE_SESSION: ActionSpec(
        "Terminate a session",
        "Closes the session (pg_terminate_backend): its open transaction is rolled back and the client must "
        "reconnect. The way to release a session left idle in a transaction.",
        "process id (PID) from the Activity page"),
}
SESSION_ACTIONS = (Action.CANCEL_SESSION, Action.TERMINATE_SESSION)


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
    if action in SESSION_ACTIONS:
        return str(session_pid(target))
    return ""


def session_pid(target: str) -> int:
    """The PID of a client session on this database (not the console's own), or ActionError."""
    if not target.isdigit():
        raise ActionError(f"“{target}” is not a process id (the number in the PID column of the Activity page)")
    pid = int(target)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s AND datname = current_database() "
                       "AND backend_type = 'client backend' AND pid <> pg_backend_pid()", [pid])
        if cursor.fetchone() is None:
            raise ActionError(f"there is no session {pid} on this database (it may have ended already)")
    return pid


# An action's outcome stays readable this long after it ran (RQ's default is 500 s).
OUTCOME_TTL_SECONDS = 7 * 24 * 3600
JOB_PREFIX = "ops-"


def request_action(action: Action, *, actor, target: str = "", request=None) -> tuple[str, str]:
    """Audit the request and enqueue its job once this transaction commits.

    Returns the target and the job's id, which the outcome page follows. The id
    is chosen here because django-rq's on-commit mode returns no job.
    """
    target = validate_target(action, target)
    job_id = f"{JOB_PREFIX}{uuid.uuid4().hex}"
    # The ops pages open no user scope; this one does, because the database
    # takes the audit record's actor from the transaction's user.
    with user_scope(actor.pk):
        record_event(f"ops.{action.value}", actor=actor, target=target or "all",
                     details={"action": action.value, "job": job_id}, request=request)
        # django-rq's on_db_commit mode holds the job until the audit row commits.
        django_rq.get_queue("maintenance").enqueue(RUN_ACTION_JOB, action.value, target, actor.pk,
                                                   job_id=job_id, job_timeout=3600,
                                                   result_ttl=OUTCOME_TTL_SECONDS, failure_ttl=OUTCOME_TTL_SECONDS)
    return target, job_id


@dataclass(frozen=True)
class Outcome:
    action: Action
    target: str
    state: str  # waiting, running, finished, failed
    sentence: str

    @property
    def done(self) -> bool:
        return self.state in ("finished", "failed")


def _count(value) -> int:
    return len(value) if isinstance(value, list | tuple | set | dict) else int(value or 0)


def describe_result(action: Action, target: str, result: dict) -> str:
    """What a finished action did, in one sentence."""
    result = result or {}
    if action == Action.PARTITIONS_AHEAD:
        tables = result.get("details") or {}
        created = sum(_count(t.get("created")) for t in tables.values())
        drained = sum(_count(t.get("months_drained")) for t in tables.values())
        return (f"Created {created} partition(s) ahead across {len(tables)} table(s); moved {drained} month(s) "
                "out of default partitions.")
    if action == Action.VACUUM:
        return f"VACUUM (ANALYZE) of {target} finished: dead rows are reclaimable and statistics are fresh."
    if action == Action.ANALYZE_PARENTS:
        analyzed = result.get("analyzed") or []
        return f"Analyzed {len(analyzed)} partitioned table(s): {', '.join(analyzed) or 'none'}."
    if action == Action.REFRESH_VIEWS:
        return f"Refreshed {_count(result.get('ms'))} analytics view(s)."
    if action in SESSION_ACTIONS:
        if result.get("signalled"):
            return (f"Session {target}'s query was cancelled." if action == Action.CANCEL_SESSION
                    else f"Session {target} was terminated; its transaction was rolled back.")
        return f"Session {target} had already ended."
    return f"Requeued {_count(result.get('requeued'))} job(s) of {target}."


def action_outcome(job_id: str) -> Outcome | None:
    """How the maintenance job `job_id` is doing, or None when there is no such ops action."""
    if not job_id.startswith(JOB_PREFIX):
        return None
    try:
        job = Job.fetch(job_id, connection=django_rq.get_connection("maintenance"))
    except NoSuchJobError:
        return None
    if job.func_name != RUN_ACTION_JOB:
        return None
    name, target = job.args[0], job.args[1]
    action = Action(name)
    status = job.get_status()
    if status == JobStatus.FINISHED:
        latest = job.latest_result()
        return Outcome(action, target, "finished",
                       describe_result(action, target, latest.return_value if latest else None))
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        latest = job.latest_result()
        error = (latest.exc_string if latest and latest.exc_string else job.exc_info) or status
        last_line = error.strip().splitlines()[-1] if error.strip() else str(status)
        return Outcome(action, target, "failed", f"It failed: {last_line}")
    if status == JobStatus.STARTED:
        return Outcome(action, target, "running", "A worker is running it now.")
    return Outcome(action, target, "waiting", "Waiting for a worker on the maintenance queue.")


def count_default_rows(label: str, *, actor, request=None) -> tuple[str, int]:
    """The exact row count of a partitioned table's default partition: (partition, rows).

    The pages show the statistics collector's estimate, which needs no access
    to anyone's rows. An exact count has to read them, so it goes through the
    owner's audited maintenance scope, on request only, with a time limit.
    """
    if "\x00" in label:  # PostgreSQL text cannot hold it: no table has it in its name
        raise ActionError(f"{label!r} is not a partitioned table with a default partition")
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
