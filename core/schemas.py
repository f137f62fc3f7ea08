"""Naming tables in the lake's PostgreSQL schemas."""

# The schemas themselves, their privileges and the current-user function are
# created by core/migrations/0001_schemas.py (frozen there).
# The audit log has a schema of its own ("audit", created by the audit app) so
# its privileges (insert and read, never update or delete) stand apart.


def qualified(schema: str, table: str) -> str:
    """A `db_table` value that Django quotes into "schema"."table"."""
    return f'{schema}"."{table}'
