"""Which worker holds a run, and which runs need a worker: the SQL behind it.

Two PostgreSQL features carry liveness, both more trustworthy than an RQ
heartbeat in Redis:

* A session-level advisory lock per run, held by the processing worker's
  connection for the whole run. PostgreSQL drops it the moment that backend
  dies (SIGKILL, OOM, a lost connection), so "can I take the lock?" answers
  "is anybody still working on it?" even when the worker is busy inside one
  long member and its heartbeat column looks stale.
* `imports.open_runs()`, a SECURITY DEFINER function owned by the owner role:
  the reconciler runs as the app role without a user scope, where row-level
  security shows no runs at all. The function hands out only the operational
  columns of queued and running runs (no counts, no names, no errors), so
  it is a narrow, fixed hole rather than a BYPASSRLS session.
"""

from django.conf import settings
from django.db import connections
from psycopg import sql

# First key of the two-key advisory lock space, so run ids never collide with
# other users of advisory locks (lake.partitions locks on hashtext(...)).
LOCK_NAMESPACE = 0x494D5054  # "IMPT"

OPEN_RUNS_FUNCTION = """
CREATE OR REPLACE FUNCTION imports.open_runs()
RETURNS TABLE (id bigint, user_id bigint, status varchar, attempts integer, job_id varchar,
               created_at timestamptz, heartbeat_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT id, user_id, status, attempts, job_id, created_at, heartbeat_at
      FROM imports.import_run
     WHERE status IN ('queued', 'running')
$$
"""


def open_runs_statements() -> list[sql.Composable]:
    """The function and its grant, for the migration (run as the owner)."""
    app = sql.Identifier(settings.DB_APP_ROLE)
    return [
        sql.SQL(OPEN_RUNS_FUNCTION),
        sql.SQL("REVOKE ALL ON FUNCTION imports.open_runs() FROM PUBLIC"),
        sql.SQL("GRANT EXECUTE ON FUNCTION imports.open_runs() TO {}").format(app),
    ]


def _key(run_id: int) -> tuple[int, int]:
    # The two-int form takes int4 keys; wrap rather than fail past 2**31 runs.
    return LOCK_NAMESPACE, run_id % 2**31


def try_lock(run_id: int, using: str = "default") -> bool:
    """Take the run's session lock on this connection; False if another session holds it."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _key(run_id))
        return cursor.fetchone()[0]


def unlock(run_id: int, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _key(run_id))


def is_held_elsewhere(run_id: int, using: str = "default") -> bool:
    """True while some other session (a live worker) holds the run's lock."""
    if try_lock(run_id, using):
        unlock(run_id, using)
        return False
    return True


def open_runs(using: str = "default") -> list[dict]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT id, user_id, status, attempts, job_id, created_at, heartbeat_at "
                       "FROM imports.open_runs() ORDER BY id")
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
