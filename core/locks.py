"""Advisory locks: one helper, one key scheme.

Every lock of the lake is named "<room>.<what>:<id>" (e.g. "imports.run:42")
and keyed by `hashtextextended(name, 0)`, a 64-bit hash, so names from
different rooms never collide and a reader of pg_locks can recompute a key.

Session locks outlive transactions (a run, an upload's PATCH body) and die
with the backend, which is what makes them a liveness signal: if a worker is
killed, PostgreSQL frees its lock at once. Transaction locks end with the
transaction. Each function takes the cursor of the connection that is to
hold the lock.
"""

_KEY = "hashtextextended(%s, 0)"


def try_lock(cursor, name: str) -> bool:
    """Take the session lock `name`; False if another session holds it."""
    cursor.execute(f"SELECT pg_try_advisory_lock({_KEY})", [name])
    return cursor.fetchone()[0]


def unlock(cursor, name: str) -> None:
    cursor.execute(f"SELECT pg_advisory_unlock({_KEY})", [name])


def held_elsewhere(cursor, name: str) -> bool:
    """True while some other session holds the session lock `name`."""
    if try_lock(cursor, name):
        unlock(cursor, name)
        return False
    return True


def lock_for_transaction(cursor, name: str) -> None:
    """Wait for the lock `name` and hold it until the current transaction ends."""
    cursor.execute(f"SELECT pg_advisory_xact_lock({_KEY})", [name])


def try_lock_for_transaction(cursor, name: str) -> bool:
    """Take the lock `name` until the current transaction ends, if it is free."""
    cursor.execute(f"SELECT pg_try_advisory_xact_lock({_KEY})", [name])
    return cursor.fetchone()[0]


def holders(cursor, name: str) -> list[int]:
    """PIDs of the sessions holding lock `name` (pg_locks shows a 64-bit key as two 32-bit halves)."""
    cursor.execute(
        f"""
        WITH k AS (SELECT {_KEY} AS h)
        SELECT pid FROM pg_locks, k
         WHERE locktype = 'advisory' AND granted AND objsubid = 1
           AND classid = ((h >> 32) & 4294967295)::oid AND objid = (h & 4294967295)::oid
        """,
        [name],
    )
    return [row[0] for row in cursor.fetchall()]
