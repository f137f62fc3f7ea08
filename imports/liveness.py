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

from django.db import connections

from core import locks


def lock_name(run_id: int) -> str:
    return f"imports.run:{int(run_id)}"


def try_lock(run_id: int, using: str = "default") -> bool:
    """Take the run's session lock on this connection; False if another session holds it."""
    with connections[using].cursor() as cursor:
        return locks.try_lock(cursor, lock_name(run_id))


def unlock(run_id: int, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        locks.unlock(cursor, lock_name(run_id))


def is_held_elsewhere(run_id: int, using: str = "default") -> bool:
    """True while some other session (a live worker) holds the run's lock."""
    with connections[using].cursor() as cursor:
        return locks.held_elsewhere(cursor, lock_name(run_id))


def open_runs(using: str = "default") -> list[dict]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT id, user_id, status, attempts, job_id, created_at, heartbeat_at "
                       "FROM imports.open_runs() ORDER BY id")
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
