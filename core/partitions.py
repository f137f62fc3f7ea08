"""Monthly range partitions: one small interface over every back end we support.

We keep this routine of our own rather than depend on pg_partman or
django-postgres-extra: the embedded PostgreSQL has no pg_partman, and
django-postgres-extra wants its own database engine and model base class,
which would fight our schema-qualified tables and two-role connections. The
rules are those of pg_partman: premake partitions ahead of now, keep the
default partition empty, mark what we created.

Every function takes a psycopg cursor on the owner connection (DDL is the
owner's job) and runs inside the caller's transaction.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from psycopg import sql

from core import locks
from core.rls import protect_statements

MANAGED_COMMENT = "datalake:managed monthly partition"
_RANGE_RE = re.compile(r"FOR VALUES FROM \((.+)\) TO \((.+)\)")


@dataclass(frozen=True)
class PartitionedTable:
    schema: str
    name: str
    column: str
    premake: int = 4
    per_user: bool = True  # partitions get row-level security of their own
    partitioned = True

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def ident(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.name)

    @property
    def default_name(self) -> str:
        return f"{self.name}_default"

    def partition_name(self, month: dt.date) -> str:
        return f"{self.name}_p{month.year:04d}_{month.month:02d}"


@dataclass(frozen=True)
class Partition:
    schema: str
    name: str
    lower: dt.datetime | None  # None for the default partition
    upper: dt.datetime | None
    managed: bool

    @property
    def is_default(self) -> bool:
        return self.lower is None


REGISTRY: dict[str, PartitionedTable] = {}


def register(table: PartitionedTable) -> PartitionedTable:
    REGISTRY[table.label] = table
    return table




def month_start(value: dt.datetime | dt.date) -> dt.date:
    return dt.date(value.year, value.month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _utc(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)


def list_partitions(cursor, table: PartitionedTable) -> list[Partition]:
    cursor.execute(
        """
        SELECT n.nspname, c.relname, pg_get_expr(c.relpartbound, c.oid),
               coalesce(obj_description(c.oid, 'pg_class') = %s, false)
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.inhparent = %s::regclass
        """,
        [MANAGED_COMMENT, table.label],
    )
    partitions = []
    for schema, name, bound, managed in cursor.fetchall():
        lower, upper, _default = parse_bound(bound)
        if not isinstance(lower, dt.datetime) or not isinstance(upper, dt.datetime):
            lower = upper = None  # the default partition (or a bound that is not a time range)
        partitions.append(Partition(schema, name, lower, upper, managed))
    partitions.sort(key=lambda p: (p.lower is not None, p.lower or dt.datetime.min.replace(tzinfo=dt.UTC)))
    return partitions


def parse_bound(bound: str | None) -> tuple:
    """(lower, upper, is_default) of a range partition bound; datetimes where they are timestamps."""
    if not bound:
        return None, None, False
    if bound.strip() == "DEFAULT":
        return None, None, True
    match = _RANGE_RE.search(bound)
    if not match:
        return None, None, False
    return _bound_value(match.group(1)), _bound_value(match.group(2)), False


def _bound_value(text: str):
    text = text.strip()
    if text in ("MINVALUE", "MAXVALUE") or "," in text:
        return text
    text = text.strip("'")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            return int(text)
        except ValueError:
            return text
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def months_present(cursor, table: PartitionedTable) -> set[dt.date]:
    """The months that have a partition of their own (the catalogs are readable by everyone)."""
    return {month_start(p.lower) for p in list_partitions(cursor, table) if not p.is_default}


def _insertable_columns(cursor, table: PartitionedTable) -> list[str]:
    # Generated columns (the PostGIS geography, where installed) cannot be
    # inserted into; they are recomputed in the new partition.
    cursor.execute(
        """
        SELECT attname FROM pg_attribute
         WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
         ORDER BY attnum
        """,
        [table.label],
    )
    return [row[0] for row in cursor.fetchall()]


def ensure_partition(cursor, table: PartitionedTable, month: dt.date) -> bool:
    """Create the partition for `month` if missing. Returns True if it created one.

    Rows already sitting in the default partition for that month are moved in,
    in the same transaction: PostgreSQL refuses to attach a partition whose
    range the default partition still holds rows for.
    """
    month = month_start(month)
    name = table.partition_name(month)
    # Two loaders may want the same month at once; the second waits, then finds it.
    locks.lock_for_transaction(cursor, f"core.partition:{table.label}")
    cursor.execute("SELECT to_regclass(%s)", [f"{table.schema}.{name}"])
    if cursor.fetchone()[0] is not None:
        return False
    lower, upper = _utc(month), _utc(next_month(month))
    part = sql.Identifier(table.schema, name)
    default = sql.Identifier(table.schema, table.default_name)
    column = sql.Identifier(table.column)
    cursor.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(part, table.ident))
    cursor.execute("SELECT to_regclass(%s)", [f"{table.schema}.{table.default_name}"])
    if cursor.fetchone()[0] is not None:
        columns = sql.SQL(", ").join(map(sql.Identifier, _insertable_columns(cursor, table)))
        cursor.execute(
            sql.SQL(
                "WITH moved AS (DELETE FROM {default} WHERE {col} >= %s AND {col} < %s RETURNING {cols}) "
                "INSERT INTO {part} ({cols}) SELECT {cols} FROM moved"
            ).format(default=default, col=column, cols=columns, part=part),
            [lower, upper],
        )
    cursor.execute(
        sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM (%s) TO (%s)").format(table.ident, part),
        [lower.isoformat(), upper.isoformat()],
    )
    cursor.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(part, sql.Literal(MANAGED_COMMENT)))
    if table.per_user:
        for statement in protect_statements(table.schema, name):
            cursor.execute(statement)
    # Belt and braces: the app role reaches rows only through the parent.
    cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(part, sql.Identifier(settings.DB_APP_ROLE)))
    return True


def ensure_covering(cursor, table: PartitionedTable, start: dt.datetime, end: dt.datetime) -> int:
    """Make sure partitions exist for every month from `start` to `end` inclusive."""
    created, month = 0, month_start(start)
    while month <= month_start(end):
        created += ensure_partition(cursor, table, month)
        month = next_month(month)
    return created


def ensure_ahead(cursor, table: PartitionedTable, now: dt.datetime) -> int:
    """Premake the current month and `table.premake` months after it."""
    month, created = month_start(now), 0
    for _ in range(table.premake + 1):
        created += ensure_partition(cursor, table, month)
        month = next_month(month)
    return created


def default_rows(cursor, table: PartitionedTable) -> int:
    cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table.schema, table.default_name)))
    return cursor.fetchone()[0]


def drain_default(cursor, table: PartitionedTable) -> int:
    """Give every month found in the default partition its own partition."""
    cursor.execute(
        sql.SQL("SELECT DISTINCT date_trunc('month', {col} AT TIME ZONE 'UTC') FROM {default}").format(
            col=sql.Identifier(table.column), default=sql.Identifier(table.schema, table.default_name)
        )
    )
    months = [row[0].date() for row in cursor.fetchall()]
    for month in months:
        ensure_partition(cursor, table, month)
    return len(months)


def months_ahead(partitions: list[Partition], now: dt.datetime) -> int:
    """How many whole months after the current one already have partitions."""
    starts = {p.lower.date() for p in partitions if not p.is_default}
    month, ahead = next_month(month_start(now)), 0
    while month in starts:
        ahead += 1
        month = next_month(month)
    return ahead
