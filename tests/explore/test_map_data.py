"""The map endpoint: Alice's points only, never more than MAP_MAX_FEATURES
features at any zoom, and grid counts that add up to the viewport's count(*)."""

import datetime as dt
import random

import pytest
from django.db import connections
from django.urls import reverse

from core.rls import user_scope
from explore import mapdata

WORLD = "-180,-90,180,90"
FRANCE = "-5.2,41.3,9.6,51.1"
BERLIN = "13.3,52.4,13.5,52.6"
BASE = dt.datetime(2024, 5, 14, 20, tzinfo=dt.UTC)


def get(client, **query):
    response = client.get(reverse("lake:map_data"), query)
    assert response.status_code == 200, response.content
    return response.json()


def add_scattered_points(user_id, n, seed=6):
    """n points spread over France (and a few across the antimeridian and the equator)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        lat, lng = rng.uniform(41.3, 51.1), rng.uniform(-5.2, 9.6)
        if i % 50 == 0:
            lat, lng = rng.uniform(-1, 1), rng.uniform(-179.9, 179.9)
        rows.append((user_id, BASE + dt.timedelta(seconds=i), round(lat * 1e7), round(lng * 1e7)))
    with connections["owner"].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, platform, "
            "activity_type) VALUES (%s, %s, %s, %s, 'location.records', '', '', '')",
            rows,
        )


def test_alice_counts_only_her_points_on_the_world_map(lake_people, browser_for):
    data = get(browser_for(lake_people.alice), bbox=WORLD, zoom=2)
    assert data["mode"] == "grid" and data["total"] == 60
    assert all(40 < lat < 50 for lat, _lng, _n in data["features"])  # Paris, not Berlin (52.5)


def test_alice_sees_no_raw_points_in_bobs_city(lake_people, browser_for):
    assert get(browser_for(lake_people.alice), bbox=BERLIN, zoom=16)["features"] == []
    bobs = get(browser_for(lake_people.bob), bbox=BERLIN, zoom=16)
    assert bobs["mode"] == "points" and len(bobs["features"]) == 60


def test_the_date_and_device_filters_narrow_the_points(lake_people, browser_for):
    client = browser_for(lake_people.alice)
    assert get(client, bbox=WORLD, zoom=2, start="2024-05-15", end="2024-05-15")["total"] == 30
    assert get(client, bbox=WORLD, zoom=2, device=7)["total"] == 60
    assert get(client, bbox=WORLD, zoom=2, device=9)["total"] == 0  # Bob's device tag


@pytest.mark.parametrize("query, message", [
    ({"bbox": "1,2,3", "zoom": 3}, "four numbers"),
    ({"bbox": "10,0,5,1", "zoom": 3}, "west <= east"),
    ({"bbox": "nan,0,5,1", "zoom": 3}, "finite"),
    ({"bbox": WORLD, "zoom": 40}, "less than or equal to 22"),
    ({"bbox": WORLD, "zoom": 3, "start": "2024-06-01", "end": "2024-05-01"}, "end date is before"),
])
def test_a_bad_map_request_is_refused_with_a_reason(lake_people, browser_for, query, message):
    response = browser_for(lake_people.alice).get(reverse("lake:map_data"), query)
    assert response.status_code == 400 and message in response.content.decode()


def test_the_feature_cap_holds_at_every_zoom_and_grid_counts_sum_to_the_viewport(lake_people, browser_for,
                                                                                   settings):
    settings.MAP_MAX_FEATURES = 200
    add_scattered_points(lake_people.alice.pk, 3000)
    client = browser_for(lake_people.alice)
    with user_scope(lake_people.alice.pk):
        expected = {bbox: mapdata.viewport_count(mapdata.Viewport.parse(bbox)) for bbox in (WORLD, FRANCE)}
    assert expected[WORLD] > 3000 and expected[FRANCE] > 2000
    modes = set()
    for bbox in (WORLD, FRANCE):
        for zoom in range(0, 21):
            data = get(client, bbox=bbox, zoom=zoom)
            modes.add(data["mode"])
            assert len(data["features"]) <= 200, (bbox, zoom)
            if data["mode"] == "grid":
                assert sum(n for _lat, _lng, n in data["features"]) == data["total"] == expected[bbox], (bbox, zoom)
            else:
                assert data["truncated"] is True  # thousands of points in view at street zoom
    assert modes == {"grid", "points"}


@pytest.fixture
def postgis_map(committed, settings):
    """MAP_BACKEND=postgis, its column added as the next migrate would (where PostGIS is)."""
    from sources.location import geography

    def select(backend):
        settings.MAP_BACKEND = backend
        with connections["owner"].cursor() as cursor:
            geography.sync(cursor)
        mapdata._postgis = None

    select("postgis")
    yield
    select("btree")


def test_both_index_paths_give_the_same_answer(postgis_map, lake_people):
    add_scattered_points(lake_people.alice.pk, 1500, seed=7)
    with user_scope(lake_people.alice.pk):
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT count(*) = 1 FROM pg_extension WHERE extname = 'postgis'")
            postgis_installed = cursor.fetchone()[0]
        # With the postgis backend selected the geography column exists exactly where
        # PostGIS does; elsewhere the backend must fall back and still give the same answers.
        assert mapdata.has_geography() == postgis_installed
        for bbox, zoom in ((WORLD, 2), (FRANCE, 6), ("2.2,48.8,2.5,48.9", 12), ("2.34,48.85,2.37,48.87", 16)):
            viewport = mapdata.Viewport.parse(bbox)
            btree = mapdata.map_features(viewport, zoom, backend="btree")
            postgis = mapdata.map_features(viewport, zoom, backend="postgis")
            assert len(btree["features"]) == len(postgis["features"]) > 0
            for mine, theirs in zip(sorted(btree["features"]), sorted(postgis["features"]), strict=True):
                assert mine == pytest.approx(theirs, abs=1e-5)
            assert mapdata.viewport_count(viewport, backend="btree") == mapdata.viewport_count(
                viewport, backend="postgis")


def test_cells_are_square_on_a_global_grid_across_the_equator():
    viewport = mapdata.Viewport.parse("-1,-1,1,1")
    cell = mapdata.cell_size(viewport, 8, 5000)
    assert cell == mapdata.zoom_cell_e7(8)
    # A huge viewport at high zoom grows the cell until the cap holds.
    world = mapdata.Viewport.parse(WORLD)
    big = mapdata.cell_size(world, 14, 5000)
    assert ((world.east - world.west) // big + 2) * ((world.north - world.south) // big + 2) <= 5000


def test_a_map_request_makes_a_fixed_number_of_queries(lake_people, browser_for, django_assert_max_num_queries):
    """Session, user, two permission lookups, BEGIN, the user scope in and out,
    one viewport query, COMMIT: nine, however many points or cells."""
    client = browser_for(lake_people.alice)
    add_scattered_points(lake_people.alice.pk, 500, seed=8)
    with django_assert_max_num_queries(9):
        get(client, bbox=WORLD, zoom=4)
    with django_assert_max_num_queries(9):
        get(client, bbox=FRANCE, zoom=17)
