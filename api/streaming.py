"""Whole selections as NDJSON, CSV or GeoJSON, in constant memory.

The generator opens the user's scope itself: a streaming body runs after the
view has returned, outside any scope the request had. It reads through a
named (server-side) cursor in batches; when the client goes away the WSGI
server closes the generator, which closes the cursor and rolls the scope's
transaction back, so PostgreSQL stops the query rather than finishing it
for nobody.
"""

import uuid

from django.db import connection
from psycopg import sql
from psycopg.adapt import Loader

from api import queries
from api.datasets import ApiDataset
from core.rls import user_scope
from sources.export import CsvLines

BATCH = 5000

FORMATS = {
    "ndjson": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
}
# What Accept may name, and the format it picks.
ACCEPT = {
    "application/x-ndjson": "ndjson", "application/jsonl": "ndjson", "application/x-jsonlines": "ndjson",
    "text/csv": "csv", "application/geo+json": "geojson",
}


class _RawText(Loader):
    """Text columns as the bytes PostgreSQL sent: a JSON line goes out as it came, never decoded."""

    def load(self, data) -> bytes:
        return bytes(data)


def _batches(user_id: int, statement: sql.Composed, *, raw: bool = False):
    with user_scope(user_id):
        raw = connection.connection
        # Unique per request: the name shows in pg_stat_activity (DECLARE / FETCH ... "api_stream_…").
        with raw.cursor(name=f"api_stream_{uuid.uuid4().hex[:12]}") as cursor:
            cursor.itersize = BATCH
            if raw:
                cursor.adapters.register_loader("text", _RawText)
            cursor.execute(statement)
            while rows := cursor.fetchmany(BATCH):
                yield rows


def statement(fmt: str, ds: ApiDataset, filters: queries.Filters, *, cursor=None, after=None) -> sql.Composed:
    """The SELECT a format streams. Call in the user's scope: `after` is looked up, and the statement
    tried with LIMIT 0, so a bad cursor is a 400 before the first byte rather than a broken stream."""
    if fmt == "csv":
        # JSON columns as their JSON text; the rest as psycopg reads them (csv_cell neutralizes formulas).
        what = sql.SQL(", ").join([queries.id_expression(ds), *(
            sql.SQL("{}::text").format(sql.Identifier(c.name)) if c.kind == "json" else sql.Identifier(c.name)
            for c in ds.columns)])
    elif fmt == "geojson":
        what = sql.SQL("{}::text").format(queries.feature_json(ds))
    else:
        what = sql.SQL("{}::text").format(queries.row_json(ds))
    chosen = queries.select(ds, what, filters, cursor=cursor, after=after)
    queries.try_statement(chosen, field="cursor" if cursor else "after")
    return chosen


def body(fmt: str, user_id: int, ds: ApiDataset, chosen: sql.Composed):
    """The response body of `chosen` in `fmt`: a generator of text pieces."""
    if fmt == "csv":
        lines = CsvLines()
        yield lines.line(["id", *(column.name for column in ds.columns)])
        for rows in _batches(user_id, chosen):
            yield "".join([lines.line(row) for row in rows])
    elif fmt == "geojson":
        yield b'{"type":"FeatureCollection","features":['
        separator = b""
        for rows in _batches(user_id, chosen, raw=True):
            yield separator + b",".join([row[0] for row in rows])
            separator = b","
        yield b"]}\n"
    else:
        for rows in _batches(user_id, chosen, raw=True):
            yield b"\n".join([row[0] for row in rows]) + b"\n"
