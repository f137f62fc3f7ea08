"""Saved places end to end: a Takeout zip through the import pipeline, then the day page's
entries, the map layer, search, exports and stats read back under the user's scope."""

import datetime as dt
import json
from collections import Counter

from core.rls import user_scope
from sources.export import Range
from sources.localtime import utc_window
from sources.places import exports, search, stats, timeline
from tests.imports.conftest import all_rows, count_rows, make_zip

TABLE = "user_data.saved_place"


def feature(lng, lat, **properties) -> dict:
    return {"geometry": {"type": "Point", "coordinates": [lng, lat]}, "properties": properties, "type": "Feature"}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


SAVED = collection(
    feature(2.2945, 48.8584, date="2019-07-10T12:00:00Z", google_maps_url="http://maps.google.com/?cid=1",
            location={"name": "Tour Eiffel", "address": "Champ de Mars, Paris", "country_code": "FR"},
            Comment="Go at night"),
    feature(0, 0, date="2019-07-10T23:30:00Z", google_maps_url="https://maps.google.com/?cid=2",
            location={"name": "<script>alert(1)</script> Bar", "address": "Rue X"}),
    feature(13.3777, 52.5163, date="2021-03-01T08:00:00Z", google_maps_url="javascript:alert(1)",
            location={"name": "Brandenburger Tor", "address": "Berlin"}),
    feature(500, 10, date="2021-03-01T08:00:00Z", location={"name": "Broken"}),
    {"properties": {"date": "2021-03-01T08:00:00Z", "location": {"name": "No geometry"}}},
)
LABELED = collection(feature(-0.1276, 51.5072, name="Home", address="1 High Street, London"))
WANT_TO_GO = (
    b"\nTitle,Note,URL,Comment\n"
    b'Cafe Central,Cake,"https://www.google.com/maps/place/Cafe/data=!4m2!3m1!1s0x0:0x1!3d48.2104!4d16.3655",\n'
    b"Prater,,https://www.google.com/maps/place/Prater/data=!4m2!3m1!1s0x0:0x2,\n"
)
MEMBERS = {
    "Takeout/Maps (your places)/Saved Places.json": SAVED,
    "Takeout/Maps/My labeled places/Labeled places.json": LABELED,
    "Takeout/Saved/Want to go.csv": WANT_TO_GO,
}


def test_an_export_imports_its_places_once_with_per_product_counts(import_files, alice, bob, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", MEMBERS)

    run = import_files(archive)

    assert run.status == "succeeded"
    assert count_rows(alice, TABLE) == 6
    assert count_rows(bob, TABLE) == 0
    products = run.products
    assert {name: (entry["accepted"], entry["rejected"]) for name, entry in products.items()} == {
        "places.saved": (3, 2), "places.labeled": (1, 0), "places.list": (2, 0)}
    assert run.rejections["longitude_out_of_range"]["count"] == 1
    assert run.rejections["missing_coordinates"]["count"] == 1
    rows = all_rows(alice, TABLE, "kind, title, lat_e7, lng_e7, saved_at, note, product")
    assert [(r[0], r[1]) for r in rows] == [
        ("labeled", "Home"), ("list", "Cafe Central"), ("list", "Prater"), ("saved", "<script>alert(1)</script> Bar"),
        ("saved", "Brandenburger Tor"), ("saved", "Tour Eiffel")]
    eiffel = rows[-1]
    assert eiffel[2:] == (488584000, 22945000, dt.datetime(2019, 7, 10, 12, tzinfo=dt.UTC), "Go at night",
                          "places.saved")
    assert rows[1][2:4] == (482104000, 163655000) and rows[2][2:4] == (None, None)

    again = import_files(make_zip(tmp_path / "takeout-002.zip", MEMBERS))

    assert (again.accepted, again.duplicates) == (0, 6)
    assert count_rows(alice, TABLE) == 6


def test_a_truncated_saved_places_file_keeps_nothing_of_it(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", {
        "Takeout/Maps (your places)/Saved Places.json": SAVED[: len(SAVED) - 40],
        "Takeout/Saved/Want to go.csv": WANT_TO_GO,
    })

    run = import_files(archive)

    assert count_rows(alice, TABLE, "WHERE kind = 'saved'") == 0
    assert count_rows(alice, TABLE, "WHERE kind = 'list'") == 2
    with user_scope(alice.pk):
        failed = run.members.get(name__endswith="Saved Places.json")
    assert failed.status == "failed" and "valid JSON" in failed.error


def test_the_day_page_the_map_search_exports_and_stats_read_them_back(import_files, alice, bob, tmp_path):
    import_files(make_zip(tmp_path / "takeout-001.zip", MEMBERS))
    day = dt.date(2019, 7, 10)

    with user_scope(alice.pk):
        part = timeline.day_part(day, *utc_window(day))
        layers = timeline.map_layers()
        found = search.search("eiffel")
        by_note = search.search("night")
        products = sorted(search.search_products())
        counts = Counter()
        ndjson = [json.loads(line) for line in exports.ndjson(Range(), counts)]
        csv_text = "".join(exports.csv_rows(Range(), counts))
        tables = stats.stats("month")
        neighbours = (timeline.neighbour_day(before=dt.date(2021, 3, 1)), timeline.neighbour_day(after=day),
                      timeline.neighbour_day(after=dt.date(2021, 3, 1)))
    with user_scope(bob.pk):
        bobs = (timeline.map_layers(), search.search("eiffel"), timeline.day_part(day, *utc_window(day)).entries)

    assert [(e["kind"], e["start"], e["source"], e["label"], e["title"], e["url"]) for e in part.entries] == [
        ("event", dt.datetime(2019, 7, 10, 12), "places", "Saved place", "Tour Eiffel", "http://maps.google.com/?cid=1"),
        ("event", dt.datetime(2019, 7, 10, 23, 30), "places", "Saved place", "<script>alert(1)</script> Bar",
         "https://maps.google.com/?cid=2")]
    assert part.entries[0]["tz"] == "UTC+00:00" and "Champ de Mars" in part.entries[0]["detail"]
    (layer,) = layers
    assert (layer.name, layer.label) == ("saved_places", "Saved places")
    assert sorted(layer.markers) == sorted([
        [48.8584, 2.2945, "Tour Eiffel", "2019-07-10"], [52.5163, 13.3777, "Brandenburger Tor", "2021-03-01"],
        [51.5072, -0.1276, "Home", None], [48.2104, 16.3655, "Cafe Central", None]])
    assert [(r["kind"], r["title"], r["day"], r["product"], r["url"]) for r in found] == [
        ("Saved place", "Tour Eiffel", day, "places.saved", "http://maps.google.com/?cid=1")]
    assert [r["title"] for r in by_note] == ["Tour Eiffel"]
    assert products == ["places.labeled", "places.list", "places.saved"]
    assert counts == {"saved_place": 12}
    assert {line["kind"] for line in ndjson} == {"saved_place"}
    assert Counter(line["place_kind"] for line in ndjson) == {"saved": 3, "labeled": 1, "list": 2}
    assert csv_text.splitlines()[0].startswith("place_kind,list_name,title")
    assert len(csv_text.splitlines()) == 7
    per_list, per_month = tables
    # The pipeline hands a parser the member's bytes but not its name, so a list
    # imported through it has no name yet ("List"); parse_saved_list takes one from
    # a stream that carries `name` (tests/sources/places/test_parsers.py).
    assert per_list.rows == [("Starred", 3), ("Want to go", 2), ("Labeled", 1)]
    assert per_month.rows == [(dt.date(2019, 7, 1), 2), (dt.date(2021, 3, 1), 1)]
    assert neighbours == (day, dt.date(2021, 3, 1), None)
    assert bobs == ([], [], [])


def test_a_javascript_url_is_never_offered_as_a_link(import_files, alice, tmp_path):
    import_files(make_zip(tmp_path / "takeout-001.zip", MEMBERS))

    with user_scope(alice.pk):
        (result,) = search.search("brandenburger")
        day = dt.date(2021, 3, 1)
        (entry,) = timeline.day_part(day, *utc_window(day)).entries

    assert result["url"] == "" and entry["url"] == ""
    assert entry["title"] == "Brandenburger Tor"
