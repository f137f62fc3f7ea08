"""A database migrated from zero is the database we mean: compared with a checked-in description.

Migrations are frozen (they import no live application code), so editing a
module today cannot change what an old migration did. This test proves the
whole chain still builds exactly the schema described in
`tests/snapshots/schema-*.txt`. After an intended schema change, regenerate
the description with `UPDATE_SCHEMA_SNAPSHOT=1 make test PYTEST_ARGS=-k from_zero`
and review its diff like code.
"""

import os
from pathlib import Path

from django.db import connections

from core.testing import describe_schema

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"


def snapshot_path(cursor) -> Path:
    # Catalog text differs between server versions and with PostGIS (the map's
    # geography column), so each combination has its own description.
    cursor.execute("SELECT current_setting('server_version_num')::int / 10000, "
                   "EXISTS (SELECT FROM pg_extension WHERE extname = 'postgis')")
    major, postgis = cursor.fetchone()
    return SNAPSHOTS / f"schema-pg{major}{'-postgis' if postgis else ''}.txt"


def test_the_database_migrated_from_zero_matches_the_described_schema(django_db_setup, django_db_blocker):
    # django_db_setup made this database from an empty one: bootstrap, then every migration.
    with django_db_blocker.unblock(), connections["owner"].cursor() as cursor:
        path = snapshot_path(cursor)
        actual = describe_schema(cursor)
    if os.environ.get("UPDATE_SCHEMA_SNAPSHOT"):
        path.write_text(actual)
    assert path.exists(), f"no schema description for this server: UPDATE_SCHEMA_SNAPSHOT=1 writes {path}"
    assert actual == path.read_text(), f"the migrated schema differs from {path.name}: see the diff above"
