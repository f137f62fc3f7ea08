"""The PostGIS `geog` column of location_point exists exactly when the map uses it.

The map's "postgis" and "auto" backends read a generated geography column
through a GiST index; "btree" (the default, faster at both zooms in
bench/map_bench.py) needs neither, and they cost every imported point an
ST_MakePoint, a cast and an index entry. After every `migrate` the column
is added or dropped to match settings.MAP_BACKEND, so switching the setting
needs no hand-written SQL. Adding it rewrites the table (a stored generated
column) under an exclusive lock: a deployment that switches does so in a
maintenance window.
"""

from django.conf import settings
from psycopg import sql

COLUMN = "geog"
PARENT = sql.Identifier("timeseries", "location_point")
# float8 division: `/ 1e7` alone divides as numeric, several times slower on every insert.
ADD_COLUMN = sql.SQL(
    "ALTER TABLE {} ADD COLUMN IF NOT EXISTS geog geography(Point, 4326) GENERATED ALWAYS AS "
    "(ST_SetSRID(ST_MakePoint(lng_e7 / 1e7::float8, lat_e7 / 1e7::float8), 4326)::geography) STORED")
DROP_COLUMN = sql.SQL("ALTER TABLE {} DROP COLUMN IF EXISTS geog")
INDEX = sql.SQL("CREATE INDEX IF NOT EXISTS location_point_geog_idx ON {} USING gist ((geog::geometry))")


def wanted(cursor) -> bool:
    if settings.MAP_BACKEND not in ("postgis", "auto"):
        return False
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    return cursor.fetchone() is not None


def present(cursor, schema: str = "timeseries", table: str = "location_point") -> bool:
    cursor.execute("SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = %s "
                   "AND NOT attisdropped", [f'"{schema}"."{table}"', COLUMN])
    return cursor.fetchone() is not None


def _detached(cursor) -> list[str]:
    # Months detached to the archive schema must keep their parent's columns to attach again.
    cursor.execute(r"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   r"WHERE n.nspname = 'archive' AND c.relkind = 'r' AND c.relname LIKE 'location\_point\_p%'")
    return [name for (name,) in cursor.fetchall()]


def sync(cursor) -> str | None:
    """Add or drop the column (and the detached months' copies) to match the setting.
    Returns what it did, or None when nothing had to change."""
    cursor.execute("SELECT to_regclass('timeseries.location_point')")
    if cursor.fetchone()[0] is None:
        return None  # a partial migrate has not made the table yet
    want, have = wanted(cursor), present(cursor)
    if want == have:
        return None
    change = ADD_COLUMN if want else DROP_COLUMN
    cursor.execute(change.format(PARENT))  # the attached partitions follow their parent
    if want:
        cursor.execute(INDEX.format(PARENT))
    for name in _detached(cursor):
        cursor.execute(change.format(sql.Identifier("archive", name)))
    return "added" if want else "dropped"
