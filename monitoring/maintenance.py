"""Maintenance SQL that cannot run inside a transaction block, on the owner role.

VACUUM refuses to run in a transaction, and Django's "owner" connection is
in autocommit whenever no atomic block is open: RQ jobs call these outside
any. The connection's `assume_role` makes every statement the owner's, the
role that owns the tables (VACUUM and ANALYZE need ownership).
"""

from django.db import connections, transaction
from psycopg import sql

OWNER = "owner"


def resolve_table(label: str) -> tuple[str, str, str]:
    """(schema, name, relkind) of an existing table of ours, or ValueError naming what is wrong."""
    schema, dot, name = label.partition(".")
    if not dot or not schema or not name:
        raise ValueError(f"{label!r} is not a schema-qualified table name (schema.table)")
    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'm', 'p')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
            """,
            [schema, name],
        )
        row = cursor.fetchone()
    if row is None:
        raise ValueError(f"there is no table {label}")
    return schema, name, row[0]


def _autocommit_execute(statements) -> None:
    if connections[OWNER].in_atomic_block:
        raise RuntimeError("VACUUM cannot run inside a transaction: call this outside transaction.atomic()")
    with connections[OWNER].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def vacuum_analyze(label: str) -> None:
    """VACUUM (ANALYZE) one table; on a partitioned table, every partition and the parent."""
    schema, name, _ = resolve_table(label)
    _autocommit_execute([sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(schema, name))])


def partitioned_roots() -> list[tuple[str, str]]:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, c.relname
              FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')
             ORDER BY 1, 2
            """
        )
        return [tuple(row) for row in cursor.fetchall()]


def analyze_parents() -> list[str]:
    """ANALYZE every partitioned table: autovacuum never does it for a parent."""
    roots = partitioned_roots()
    with transaction.atomic(using=OWNER), connections[OWNER].cursor() as cursor:
        for schema, name in roots:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, name)))
    return [f"{schema}.{name}" for schema, name in roots]


def signal_session(pid: int, *, terminate: bool) -> bool:
    """pg_cancel_backend or pg_terminate_backend as the owner (a member of pg_signal_backend, which
    may signal any session but a superuser's). False when the session had already ended."""
    function = "pg_terminate_backend" if terminate else "pg_cancel_backend"
    with connections[OWNER].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        if cursor.fetchone() is None:
            return False
        # terminate waits (up to 5 s) for the session to be gone, so the page after it is true.
        cursor.execute(sql.SQL("SELECT {}(%s{})").format(sql.Identifier(function),
                                                         sql.SQL(", 5000") if terminate else sql.SQL("")), [pid])
        if not cursor.fetchone()[0]:
            raise RuntimeError(f"session {pid} could not be signalled (a superuser's session, or it just ended)")
    return True
