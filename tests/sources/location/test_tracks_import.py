"""Location files from other apps end to end: one zip through the pipeline, rows under their own
products beside Google's, nothing added on a re-import, a hostile file failing alone."""

import datetime as dt

from core.rls import user_scope
from tests.imports.conftest import all_rows, count_rows, make_zip
from tests.sources.location.test_tracks import BILLION_LAUGHS
from tests.sources.location.tracks_fixtures import CSV, GEOJSON, GPX, KML, OWNTRACKS

MEMBERS = {
    "Tracks/ride.gpx": GPX,
    "Tracks/trip.kml": KML,
    "Tracks/berlin.geojson": GEOJSON,
    "owntracks/ph/2024-05.rec": OWNTRACKS,
    "logger/positions.csv": CSV,
    "Tracks/laughs.gpx": BILLION_LAUGHS,
}


def test_each_format_imports_its_points_once_under_its_own_product(import_files, alice, bob, tmp_path):
    run = import_files(make_zip(tmp_path / "tracks.zip", MEMBERS))

    assert run.status == "partial"  # the entity bomb, alone
    with user_scope(alice.pk):
        bomb = run.members.get(name__endswith="laughs.gpx")
        products = dict(run.members.values_list("name", "product"))
    assert bomb.status == "failed" and "DTD" in bomb.error
    assert products == {"Tracks/ride.gpx": "location.gpx", "Tracks/trip.kml": "location.kml",
                        "Tracks/berlin.geojson": "location.geojson", "owntracks/ph/2024-05.rec": "location.owntracks",
                        "logger/positions.csv": "location.csv", "Tracks/laughs.gpx": "location.gpx"}
    by_product = {}
    for _, product, _ in all_rows(alice, "timeseries.location_point", "recorded_at, product, lat_e7"):
        by_product[product] = by_product.get(product, 0) + 1
    assert by_product == {"location.gpx": 5, "location.kml": 5, "location.geojson": 4, "location.owntracks": 2,
                          "location.csv": 3}
    visits = all_rows(alice, "timeseries.place_visit", "started_at, name, product")
    assert visits == [
        (dt.datetime(2024, 5, 14, 10, tzinfo=dt.UTC), "<img src=x onerror=alert(1)> Tour", "location.gpx"),
        (dt.datetime(2024, 5, 15, 7, tzinfo=dt.UTC), "Span", "location.kml"),
        (dt.datetime(2024, 5, 15, 8, 30, tzinfo=dt.UTC), "Café <b>Flore</b>", "location.kml"),
        (dt.datetime(2024, 5, 16, 7, tzinfo=dt.UTC), "Start <script>x</script>", "location.geojson"),
    ]
    assert count_rows(bob, "timeseries.location_point") == 0
    # Untimed positions and the rest are counted per product, with their reasons.
    assert run.products["location.gpx"]["rejected"] == 2
    assert run.products["location.owntracks"]["rejected"] == 2

    again = import_files(make_zip(tmp_path / "tracks-again.zip", MEMBERS))
    assert again.accepted == 0 and again.duplicates == 23
    assert count_rows(alice, "timeseries.location_point") == 19
