"""The PostgreSQL side of the lifecycle: locks, detach, attach, catalog look-ups.

Every function takes a psycopg-compatible cursor on the owner connection
(BYPASSRLS, owns the tables) and runs in the caller's transaction unless it
says otherwise. Identifiers are composed with psycopg.sql, never formatted.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from psycopg import sql

from core import locks, partitions
from core.extensions import KNOWN, version_tuple
from core.rls import protect_statements

ARCHIVE_SCHEMA = "archive"
# One lifecycle run at a time, cluster-wide for this database (pg_try_advisory_lock key).
RUN_LOCK_KEY = "lifecycle.run:all"  # a core.locks name
# A DETACH waits this long for locks, then gives up and is retried next run,
# instead of queueing every reader of the table behind its ACCESS EXCLUSIVE request.
DETACH_LOCK_TIMEOUT = "5s"


def try_run_lock(cursor) -> bool:
    """Session-level: held across the run's many transactions, freed if the process dies."""
    return locks.try_lock(cursor, RUN_LOCK_KEY)


def release_run_lock(cursor) -> None:
    locks.unlock(cursor, RUN_LOCK_KEY)


def set_lock_timeout(cursor, timeout: str = DETACH_LOCK_TIMEOUT) -> None:
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [timeout])


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # format_type(): "timestamp with time zone", "jsonb", ...


def columns(cursor, table: partitions.PartitionedTable) -> list[Column]:
    """The parent's stored columns in order; generated ones are recomputed, not archived."""
    cursor.execute(
        """
        SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
         WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
         ORDER BY attnum
        """,
        [table.label],
    )
    return [Column(name, type_) for name, type_ in cursor.fetchall()]


def primary_key(cursor, table: partitions.PartitionedTable) -> list[str]:
    """Primary-key columns: the canonical row order of archives and their checks."""
    cursor.execute(
        """
        SELECT a.attname FROM pg_index i
          JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY k.ord
        """,
        [table.label],
    )
    return [row[0] for row in cursor.fetchall()]


def relation_exists(cursor, schema: str, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [sql.Identifier(schema, name).as_string()])
    return cursor.fetchone()[0]


def is_attached(cursor, table: partitions.PartitionedTable, schema: str, name: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = %s::regclass AND inhrelid = to_regclass(%s))",
        [table.label, sql.Identifier(schema, name).as_string()],
    )
    return cursor.fetchone()[0]


def relation_bytes(cursor, schema: str, name: str) -> int:
    cursor.execute("SELECT coalesce(pg_total_relation_size(to_regclass(%s)), 0)",
                   [sql.Identifier(schema, name).as_string()])
    return cursor.fetchone()[0]


def rows_per_user(cursor, schema: str, name: str) -> dict[int, int]:
    cursor.execute(sql.SQL("SELECT user_id, count(*) FROM {} GROUP BY user_id").format(sql.Identifier(schema, name)))
    return dict(cursor.fetchall())


def newest_instant(cursor, schema: str, name: str, column: str) -> dt.datetime | None:
    cursor.execute(sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(column), sql.Identifier(schema, name)))
    return cursor.fetchone()[0]


@dataclass(frozen=True)
class PendingDetach:
    parent_schema: str
    parent_name: str
    partition_schema: str
    partition_name: str

    @property
    def parent(self) -> str:
        return f"{self.parent_schema}.{self.parent_name}"


def pending_detaches(cursor) -> list[PendingDetach]:
    """Partitions left "detach pending" by an interrupted DETACH ... CONCURRENTLY."""
    cursor.execute(
        """
        SELECT pn.nspname, p.relname, cn.nspname, c.relname
          FROM pg_inherits i
          JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
          JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
         WHERE i.inhdetachpending
        """
    )
    return [PendingDetach(*row) for row in cursor.fetchall()]


def finalize_detach(cursor, pending: PendingDetach) -> None:
    """Finish an interrupted concurrent detach. Until then the partition is in
    limbo: invisible to new queries of the parent, yet not a table of its own,
    and no other detach or attach on that parent can proceed."""
    parent = sql.Identifier(pending.parent_schema, pending.parent_name)
    part = sql.Identifier(pending.partition_schema, pending.partition_name)
    cursor.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {} FINALIZE").format(parent, part))


def detach_to_archive(cursor, table: partitions.PartitionedTable, name: str) -> None:
    """DETACH (plain, in the caller's short transaction) and move into schema archive.

    Plain, not CONCURRENTLY: PostgreSQL refuses a concurrent detach while the
    parent has a default partition, and ours always has one. The caller sets
    lock_timeout first so a busy table makes this fail fast and retry later.
    """
    part = sql.Identifier(table.schema, name)
    cursor.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(table.ident, part))
    cursor.execute(sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(part, sql.Identifier(ARCHIVE_SCHEMA)))
    revoke_app(cursor, ARCHIVE_SCHEMA, name)


def revoke_app(cursor, schema: str, name: str) -> None:
    cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(
        sql.Identifier(schema, name), sql.Identifier(settings.DB_APP_ROLE)))


def drop_archived(cursor, name: str) -> None:
    cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(ARCHIVE_SCHEMA, name)))


def move_back(cursor, table: partitions.PartitionedTable, name: str) -> None:
    cursor.execute(sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(
        sql.Identifier(ARCHIVE_SCHEMA, name), sql.Identifier(table.schema)))


def create_empty_partition(cursor, table: partitions.PartitionedTable, name: str) -> None:
    cursor.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
        sql.Identifier(table.schema, name), table.ident))


def attach(cursor, table: partitions.PartitionedTable, name: str, lower: dt.datetime, upper: dt.datetime) -> int:
    """Attach a partition back, first moving in any rows the default partition
    caught for its month meanwhile (PostgreSQL refuses the attach otherwise).
    Returns how many rows came over from the default partition."""
    part = sql.Identifier(table.schema, name)
    moved = 0
    if relation_exists(cursor, table.schema, table.default_name):
        cols = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns(cursor, table))
        cursor.execute(
            sql.SQL(
                "WITH moved AS (DELETE FROM {default} WHERE {col} >= %s AND {col} < %s RETURNING {cols}) "
                "INSERT INTO {part} ({cols}) SELECT {cols} FROM moved ON CONFLICT DO NOTHING"
            ).format(default=sql.Identifier(table.schema, table.default_name), col=sql.Identifier(table.column),
                     cols=cols, part=part),
            [lower, upper],
        )
        moved = cursor.rowcount
    cursor.execute(
        sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM (%s) TO (%s)").format(table.ident, part),
        [lower.isoformat(), upper.isoformat()],
    )
    cursor.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(part, sql.Literal(partitions.MANAGED_COMMENT)))
    if table.per_user:
        for statement in protect_statements(table.schema, name):
            cursor.execute(statement)
    revoke_app(cursor, table.schema, name)
    return moved


def analyze(cursor, table: partitions.PartitionedTable) -> None:
    # Autovacuum never analyzes a partitioned parent; after partitions come or
    # go its statistics are stale until someone does.
    cursor.execute(sql.SQL("ANALYZE {}").format(table.ident))


@dataclass(frozen=True)
class PartmanStatus:
    installed: str | None
    minimum: str
    usable: bool
    note: str


def partman_status(cursor) -> PartmanStatus:
    """Is pg_partman here, and recent enough (the design asks for 5.0) to take over?"""
    minimum = next(k.minimum for k in KNOWN if k.name == "pg_partman")
    cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'")
    row = cursor.fetchone()
    installed = row[0] if row else None
    usable = bool(installed) and version_tuple(installed) >= version_tuple(minimum)
    if not installed:
        note = "pg_partman is not installed: the lake's own routine premakes and retains partitions."
    elif not usable:
        note = (f"pg_partman {installed} is installed but older than {minimum}: the lake's own routine "
                "premakes and retains partitions.")
    else:
        note = (f"pg_partman {installed} could premake and move expired partitions into schema archive "
                "(retention_schema); the lake still exports and verifies them first.")
    return PartmanStatus(installed, minimum, usable, note)
