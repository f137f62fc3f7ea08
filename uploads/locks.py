"""The per-upload lock: a PostgreSQL session-level advisory lock.

A session lock, not a row lock, because a PATCH body may take hours and we
never hold a transaction open across it; the lock lives on the request's
connection and dies with it if the process does. (Behind a transaction-mode
pooler such as pgbouncer this would need a row lease instead.)
The expiry job takes the same key with the transaction-level variant, so it
never expires an upload while a PATCH is writing it.
"""

from contextlib import contextmanager

from django.db import DatabaseError, connections

from core import locks


class UploadBusy(Exception):
    """Another request holds this upload (a concurrent PATCH or DELETE)."""


def _key(upload_id) -> str:
    return f"uploads.upload:{upload_id}"


@contextmanager
def upload_lock(upload_id, using: str = "default"):
    """Hold the upload's lock for the block, or raise UploadBusy at once."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if not locks.try_lock(cursor, _key(upload_id)):
            raise UploadBusy(upload_id)
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                locks.unlock(cursor, _key(upload_id))
        except DatabaseError:
            # The connection broke; PostgreSQL released the lock with the session.
            connection.close()


def try_lock_for_transaction(upload_id, using: str = "owner") -> bool:
    """Take the upload's lock until the current transaction ends, if free."""
    with connections[using].cursor() as cursor:
        return locks.try_lock_for_transaction(cursor, _key(upload_id))
