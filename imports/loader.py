"""Bulk loading into the per-user lake tables under row-level security.

Knows tables and rows, nothing of Takeout. The app role may not COPY into a
table with row-level security, so each batch is COPY'd (binary) into a
temporary staging table and moved with one `INSERT ... SELECT ... ON CONFLICT
DO NOTHING` on the table's natural key: the policy's WITH CHECK still applies,
loading the same rows twice adds nothing, and duplicates inside one batch
collapse too (DO NOTHING, unlike DO UPDATE, accepts a key twice in one
statement). accepted = inserted, duplicates = staged - inserted.

Every function runs on the "default" connection inside the caller's
transaction, which must be a `user_scope`: the caller commits a member's rows
together with its member row.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connections
from psycopg import sql

from core import partitions
from core.loading import Target
from core.maintenance import ensure_partitions_for

BATCH_ROWS = 50_000


@dataclass
class LoadResult:
    staged: int = 0
    inserted: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None

    @property
    def duplicates(self) -> int:
        return self.staged - self.inserted

    def add(self, staged: int, inserted: int, first, last) -> None:
        self.staged += staged
        self.inserted += inserted
        if first is not None and (self.first is None or first < self.first):
            self.first = first
        if last is not None and (self.last is None or last > self.last):
            self.last = last


class BatchLoader:
    """Collects rows for one target and flushes them in batches of `batch_rows`.

    `rows` are tuples in `target.columns` order. Call `finish()` before the
    transaction commits; the staging table is dropped with the commit.
    """

    def __init__(self, target: Target, *, user_id: int, run_id: int | None, product: str,
                 batch_rows: int = BATCH_ROWS, using: str = "default", writer: "Writer | None" = None):
        self.target, self.user_id, self.run_id, self.product = target, user_id, run_id, product
        self.batch_rows = min(batch_rows, target.batch_rows) if target.batch_rows else batch_rows
        self.using = using
        self.writer = writer
        self.rows: list[tuple] = []
        self.result = LoadResult()
        self._staged = False
        self._months: set[dt.date] | None = None
        self._types: list[int] | None = None

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_rows:
            self.flush()

    def finish(self) -> LoadResult:
        self.flush()
        if self.writer is not None:
            self.writer.wait()
        return self.result

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        if self.writer is not None:
            self.writer.submit(self._load, rows)
            return
        with connections[self.using].cursor() as cursor:
            # The psycopg cursor itself: Django's wrapper has no COPY.
            self._load(cursor.cursor, rows)

    # --- the SQL ---------------------------------------------------------

    def _stage(self, cur) -> None:
        """The staging table: the target's columns and types, without its constraints."""
        stage = sql.Identifier("pg_temp", self.target.stage_name)
        columns = sql.SQL(", ").join(map(sql.Identifier, self.target.columns))
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(stage))
        # CREATE TABLE AS ... WITH NO DATA copies names and types only, so
        # the staging table takes NULLs the target's NOT NULL columns refuse
        # (filled in by the INSERT) and reads no row of the target.
        cur.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            stage, columns, self.target.table.ident))
        cur.execute(
            """
            SELECT a.atttypid::int FROM pg_attribute a
             WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """,
            [f"pg_temp.{self.target.stage_name}"],
        )
        self._types = [row[0] for row in cur.fetchall()]
        self._staged = True

    def _ensure_partitions(self, cur, first, last) -> None:
        if first is None:
            return
        table = self.target.table
        if self._months is None:
            self._months = partitions.months_present(cur, table)
        month, wanted = partitions.month_start(first), set()
        while month <= partitions.month_start(last):
            wanted.add(month)
            month = partitions.next_month(month)
        if wanted <= self._months:
            return
        # The owner connection attaches and commits the new months; rows of
        # this transaction's later INSERT are routed to them (a test checks
        # that nothing lands in the default partition).
        ensure_partitions_for(table, first, last)
        self._months |= wanted

    def _load(self, cur, rows: list[tuple]) -> None:
        if not self._staged:
            self._stage(cur)
        stage = sql.Identifier("pg_temp", self.target.stage_name)
        columns = sql.SQL(", ").join(map(sql.Identifier, self.target.columns))
        cur.execute(sql.SQL("TRUNCATE {}").format(stage))
        with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(stage, columns)) as copy:
            copy.set_types(self._types)
            write = copy.write_row
            for row in rows:
                write(row)
        first = last = None
        if self.target.table.column is not None:
            time_column = sql.Identifier(self.target.table.column)
            cur.execute(sql.SQL("SELECT min({col}), max({col}) FROM {stage}").format(col=time_column, stage=stage))
            first, last = cur.fetchone()
        if self.target.table.partitioned:
            self._ensure_partitions(cur, first, last)
        fill = self.target.fill
        select = sql.SQL(", ").join(
            sql.SQL(fill[name]) if name in fill else sql.Identifier(name) for name in self.target.columns
        )
        cur.execute(
            sql.SQL(
                "WITH inserted AS ("
                " INSERT INTO {target} (user_id, product, import_run_id, {columns})"
                " SELECT %(user)s, %(product)s, %(run)s, {select} FROM {stage}"
                " ON CONFLICT DO NOTHING RETURNING 1)"
                " SELECT count(*) FROM inserted"
            ).format(target=self.target.table.ident, columns=columns, select=select, stage=stage),
            {"user": self.user_id, "product": self.product, "run": self.run_id},
        )
        self.result.add(len(rows), cur.fetchone()[0], first, last)
        if self.target.after_batch:
            cur.execute(sql.SQL(self.target.after_batch).format(stage=stage), {"user": self.user_id})


class Writer:
    """Runs batch loads on a second thread, so parsing the next batch overlaps the database's work.

    The database spends about as long on a batch (COPY, INSERT, index upkeep)
    as Python spends parsing it; one batch in flight while the next fills
    roughly halves a member's time on two cores. The thread uses the calling
    thread's own psycopg connection (thread-safe, one statement at a time),
    so its statements belong to the member's transaction and its user scope.
    At most one batch waits for the database: memory stays bounded.
    """

    def __init__(self, using: str = "default"):
        from concurrent.futures import ThreadPoolExecutor

        wrapper = connections[using]
        wrapper.ensure_connection()
        self._connection = wrapper.connection
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-writer")
        self._pending = None

    def _run(self, load, rows):
        with self._connection.cursor() as cursor:
            load(cursor, rows)

    def submit(self, load, rows) -> None:
        self.wait()
        self._pending = self._pool.submit(self._run, load, rows)

    def wait(self) -> None:
        """Block until the batch in flight is written; re-raise its error here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            # ensure_partitions_for() may have opened an owner connection on the writer thread.
            self._pool.submit(connections.close_all).result()
            self._pool.shutdown()


def analyze(targets) -> None:
    """ANALYZE after a big load, so the planner sees the new months (as the owner: it owns them)."""
    with connections["owner"].cursor() as cursor:
        for target in targets:
            cursor.execute(sql.SQL("ANALYZE {}").format(target.table.ident))
