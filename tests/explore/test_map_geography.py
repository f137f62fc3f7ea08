"""The PostGIS geography column exists exactly where the map's backend reads it.

It costs every imported point an ST_MakePoint, a cast and a GiST entry, so
with the default btree backend it is absent, also on a server with PostGIS;
selecting "postgis" adds it at the next migrate (geography.sync), switching
back drops it. On a server without PostGIS there is nothing to add.
"""

import pytest
from django.db import connections

from explore import mapdata
from sources.location import geography


def postgis_installed() -> bool:
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        return cursor.fetchone() is not None


def column_and_index() -> tuple[bool, bool, bool]:
    """(on the parent, on the default partition, the GiST index exists)."""
    with connections["owner"].cursor() as cursor:
        parent = geography.present(cursor)
        default = geography.present(cursor, "timeseries", "location_point_default")
        cursor.execute("SELECT to_regclass('timeseries.location_point_geog_idx') IS NOT NULL")
        return parent, default, cursor.fetchone()[0]


@pytest.fixture
def map_backend(committed, settings):
    def select(backend: str) -> str | None:
        settings.MAP_BACKEND = backend
        with connections["owner"].cursor() as cursor:
            done = geography.sync(cursor)
        mapdata._postgis = None  # the per-process cache of has_geography()
        return done

    yield select
    select("btree")


def test_the_btree_default_has_no_geography_column(map_backend):
    assert map_backend("btree") is None  # migrate already left the table as the setting wants
    assert column_and_index() == (False, False, False)
    assert not mapdata.has_geography()


def test_selecting_postgis_adds_the_column_where_postgis_is_installed_and_btree_drops_it(map_backend):
    if postgis_installed():
        assert map_backend("postgis") == "added"
        assert column_and_index() == (True, True, True)
        assert mapdata.has_geography()
        assert map_backend("auto") is None
        assert map_backend("btree") == "dropped"
        assert column_and_index() == (False, False, False)
    else:
        # The embedded server has no PostGIS: the backend falls back to the btree path.
        assert map_backend("postgis") is None
        assert column_and_index() == (False, False, False)
        assert not mapdata.has_geography()
