"""The PostGIS `geog` column and its GiST index stay only where the map uses them.

Migration 0002 added them wherever PostGIS was installed, but the map reads
the (user_id, lat_e7, lng_e7) btree unless MAP_BACKEND says "postgis" or
"auto", and the generated column plus its index cost every inserted point
about 5 s per million. Switching MAP_BACKEND later takes effect at the next
`migrate` (sources/location/geography.py, after every migrate).

Frozen: the SQL is copied here as it was when this migration was written.
"""

from django.conf import settings
from django.db import migrations
from psycopg import sql

DROP = [
    "DROP INDEX IF EXISTS timeseries.location_point_geog_idx",
    "ALTER TABLE timeseries.location_point DROP COLUMN IF EXISTS geog",
]
# Months detached to the archive schema (awaiting their drop) keep a copy of
# the column; a partition must match its parent's columns to attach again.
DETACHED = r"""SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'geog' AND NOT a.attisdropped
    WHERE n.nspname = 'archive' AND c.relname LIKE 'location\_point\_p%'"""


def drop_unless_wanted(apps, schema_editor):
    if getattr(settings, "MAP_BACKEND", "btree") in ("postgis", "auto"):
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP:
            cursor.execute(statement)
        cursor.execute(DETACHED)
        for (name,) in cursor.fetchall():
            cursor.execute(sql.SQL("ALTER TABLE {} DROP COLUMN geog").format(sql.Identifier("archive", name)))


class Migration(migrations.Migration):

    dependencies = [
        ('location', '0004_drop_user_foreign_keys'),
    ]

    operations = [
        # Backwards does not re-add: the next migrate's sync does, if the setting wants it.
        migrations.RunPython(drop_unless_wanted, migrations.RunPython.noop),
    ]
