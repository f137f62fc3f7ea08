"""The saved-places parsers and signatures, on fixtures written from the documented shapes."""

import io
import json
from datetime import UTC, datetime

import pytest

from sources.detect import identify
from sources.places.detect import detect
from sources.places.parsers import (
    list_name_from,
    parse_labeled_places,
    parse_saved_list,
    parse_saved_places,
    place_key,
    position_from_url,
)
from sources.places.records import SavedPlace
from sources.records import Rejection


def parse(parser, data: bytes, **kwargs) -> list:
    return list(parser(io.BytesIO(data), **kwargs))


def places(items) -> list[SavedPlace]:
    return [item for item in items if isinstance(item, SavedPlace)]


def reasons(items) -> list[str]:
    return [item.reason for item in items if isinstance(item, Rejection)]


def feature(lng, lat, **properties) -> dict:
    return {"geometry": {"type": "Point", "coordinates": [lng, lat]}, "properties": properties, "type": "Feature"}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


OLD_STYLE = feature(
    2.2945, 48.8584, **{
        "Google Maps URL": "http://maps.google.com/?cid=1234567890",
        "Published": "2016-05-01T09:30:00Z",
        "Title": "Tour Eiffel",
        "Location": {"Address": "Champ de Mars, 75007 Paris", "Business Name": "Tour Eiffel", "Country Code": "FR",
                     "Geo Coordinates": {"Latitude": "48.8584", "Longitude": "2.2945"}},
    })
NEW_STYLE = feature(
    13.3777, 52.5163, date="2019-07-10T12:00:00Z", google_maps_url="http://maps.google.com/?cid=987",
    location={"name": "Brandenburger Tor", "address": "Pariser Platz, 10117 Berlin", "country_code": "de"},
    Comment="Mit Oma",
)
NO_POSITION = feature(0, 0, date="2024-02-29T23:59:59Z", google_maps_url="http://maps.google.com/?q=Some+Bar",
                      location={"name": "Some Bar", "address": "Unknown"})
URL_POSITION = feature(0, 0, date="2021-01-01T08:00:00Z",
                       google_maps_url="http://maps.google.com/?q=40.6892,-74.0445",
                       location={"name": "Statue of Liberty"})
SAVED_PLACES = collection(OLD_STYLE, NEW_STYLE, NO_POSITION, URL_POSITION)


# --- Saved Places.json ------------------------------------------------------------


def test_saved_places_keeps_both_generations_of_properties():
    items = parse(parse_saved_places, SAVED_PLACES)

    assert reasons(items) == []
    found = places(items)
    assert len(found) == 4
    assert [p.saved_at for p in found] == [
        datetime(2016, 5, 1, 9, 30, tzinfo=UTC), datetime(2019, 7, 10, 12, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC), datetime(2021, 1, 1, 8, tzinfo=UTC)]
    eiffel, tor = found[0], found[1]
    assert (eiffel.kind, eiffel.list_name, eiffel.title, eiffel.address, eiffel.country_code) == (
        "saved", "", "Tour Eiffel", "Champ de Mars, 75007 Paris", "FR")
    assert (eiffel.lat_e7, eiffel.lng_e7, eiffel.url) == (488584000, 22945000, "http://maps.google.com/?cid=1234567890")
    assert (tor.title, tor.address, tor.note, tor.country_code) == (
        "Brandenburger Tor", "Pariser Platz, 10117 Berlin", "Mit Oma", "DE")
    assert (tor.lat_e7, tor.lng_e7) == (525163000, 133777000)


def test_zero_zero_means_no_position_unless_the_url_states_one():
    no_position, from_url = places(parse(parse_saved_places, SAVED_PLACES))[2:]

    assert (no_position.title, no_position.lat_e7, no_position.lng_e7) == ("Some Bar", None, None)
    assert (from_url.lat_e7, from_url.lng_e7) == (406892000, -740445000)


def test_the_place_key_is_stable_and_follows_the_url():
    first = places(parse(parse_saved_places, SAVED_PLACES))
    again = places(parse(parse_saved_places, SAVED_PLACES))

    assert [p.place_key for p in first] == [p.place_key for p in again]
    assert len({p.place_key for p in first}) == 4
    assert first[0].place_key == place_key("http://maps.google.com/?cid=1234567890", None, None, None, None)
    assert place_key(None, "Home", "Street 1", None, None) != place_key(None, "Home", "Street 2", None, None)


def test_html_in_names_stays_text_and_controls_are_stripped():
    hostile = feature(1.5, 2.5, date="2020-01-01T00:00:00Z", google_maps_url="javascript:alert(1)",
                      location={"name": "<script>alert('x')</script>\x00Bar", "address": "<b>bold</b>"})

    (place,) = places(parse(parse_saved_places, collection(hostile)))

    assert place.title == "<script>alert('x')</script>Bar"
    assert place.address == "<b>bold</b>"
    assert place.url == "javascript:alert(1)"  # stored as written; only http(s) is ever rendered as a link


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"properties": {"date": "2020-01-01T00:00:00Z", "Title": "Nowhere"}}, "missing_coordinates"),
        (feature(2.0, 95.0, Title="North of the pole"), "latitude_out_of_range"),
        (feature(-181.0, 10.0, Title="West of the date line"), "longitude_out_of_range"),
        (feature("east", 10.0, Title="Words"), "bad_number"),
        ({"geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, "properties": {}},
         "unsupported_record"),
        ({"geometry": {"type": "Point", "coordinates": [1]}, "properties": {}}, "malformed_coordinates"),
        (feature(1.0, 2.0, date="yesterday", Title="When?"), "timestamp_malformed"),
        (feature(1.0, 2.0, date="1900-01-01T00:00:00Z", Title="Too early"), "timestamp_implausible"),
        (feature(1.0, 2.0, Title={"nested": "object"}), "malformed_record"),
        ("a string, not a feature", "malformed_record"),
        ({"properties": {"Title": "Huge", "Location": {"Geo Coordinates": {"Latitude": "9" * 5000,
                                                                            "Longitude": "1"}}}}, "bad_number"),
    ],
)
def test_a_bad_feature_is_rejected_with_its_reason_and_the_rest_kept(bad, reason):
    items = parse(parse_saved_places, collection(OLD_STYLE, bad, NEW_STYLE))

    assert reasons(items) == [reason]
    assert [p.title for p in places(items)] == ["Tour Eiffel", "Brandenburger Tor"]
    (rejection,) = [item for item in items if isinstance(item, Rejection)]
    assert rejection.detail and len(rejection.sample) <= 300


def test_a_feature_without_geometry_keeps_its_stated_geo_coordinates():
    data = collection({"properties": {"Title": "Geo only", "Location": {
        "Geo Coordinates": {"Latitude": "-33.8568", "Longitude": "151.2153"}}}})

    (place,) = places(parse(parse_saved_places, data))

    assert (place.lat_e7, place.lng_e7, place.saved_at) == (-338568000, 1512153000, None)


@pytest.mark.parametrize(
    "data",
    [
        SAVED_PLACES[: len(SAVED_PLACES) // 2],  # cut mid-record
        collection(feature(1, 2, Title="Big")).replace(b"[1, 2]", b"[1, " + b"9" * 5000 + b"]"),  # no decoder holds it
        b'{"type": "FeatureCollection", "features": [' + b"[" * 100_000,  # nesting
        b'{"type": "FeatureCollection", "features": [{"properties": {"Title": NaN}}]}',
    ],
)
def test_a_broken_document_ends_with_bad_json(data):
    items = parse(parse_saved_places, data)

    assert reasons(items)[-1] == "bad_json"
    assert reasons(items).count("bad_json") == 1


def test_a_400_mb_string_is_refused_without_reading_it_whole():
    # The token cap of SafeJSONStream stops it after 1 MiB: no memory blow-up.
    data = b'{"type": "FeatureCollection", "features": [{"properties": {"Title": "' + b"x" * (3 * 1024 * 1024)

    assert reasons(parse(parse_saved_places, data)) == ["bad_json"]


# --- Labeled places.json --------------------------------------------------------------


def test_labeled_places_are_names_with_positions():
    data = collection(feature(-0.1276, 51.5072, name="Home", address="1 High Street, London"),
                      feature(0, 0, name="Work", address="Somewhere"),
                      {"properties": {"name": "No geometry"}})

    items = parse(parse_labeled_places, data)

    assert reasons(items) == ["missing_coordinates"]
    home, work = places(items)
    assert (home.kind, home.title, home.address, home.lat_e7, home.lng_e7, home.saved_at) == (
        "labeled", "Home", "1 High Street, London", 515072000, -1276000, None)
    assert (work.title, work.lat_e7) == ("Work", None)
    assert home.place_key == place_key(None, "Home", "1 High Street, London", None, None)


# --- Saved/*.csv lists --------------------------------------------------------------------

WANT_TO_GO = (
    "Title,Note,URL,Comment\n"
    'Café Central,Try the cake,"https://www.google.com/maps/place/Caf%C3%A9+Central/data=!4m2!3m1!1s0x0:0x1!3d48.2104!4d16.3655",\n'
    'Schönbrunn,,"https://www.google.com/maps/place/Sch%C3%B6nbrunn/@48.1845,16.3122,17z/data=!4m6",Summer\n'
    "Prater,,https://www.google.com/maps/search/?api=1&query=48.2167%2C16.3958,\n"
    "Ohne Ort,,https://www.google.com/maps/place/Ohne+Ort/data=!4m2!3m1!1s0x0:0x2,\n"
).encode()


def test_a_list_csv_keeps_every_row_and_takes_positions_only_from_urls():
    items = parse(parse_saved_list, WANT_TO_GO, list_name="Want to go")

    assert reasons(items) == []
    found = places(items)
    assert [p.title for p in found] == ["Café Central", "Schönbrunn", "Prater", "Ohne Ort"]
    assert {p.kind for p in found} == {"list"} and {p.list_name for p in found} == {"Want to go"}
    assert [(p.lat_e7, p.lng_e7) for p in found] == [
        (482104000, 163655000), (481845000, 163122000), (482167000, 163958000), (None, None)]
    assert (found[0].note, found[1].note, found[2].note) == ("Try the cake", "Summer", None)
    assert all(p.saved_at is None and p.address is None for p in found)


def test_a_list_may_start_with_a_blank_line_a_bom_and_columns_in_another_order():
    data = b"\xef\xbb\xbf\n\nURL,Comment,Title,Note\nhttps://maps.google.com/?cid=1,,First,\n\nhttps://maps.google.com/?cid=2,c,Second,n\n"

    found = places(parse(parse_saved_list, data, list_name="Favourite places"))

    assert [(p.title, p.url, p.note) for p in found] == [
        ("First", "https://maps.google.com/?cid=1", None), ("Second", "https://maps.google.com/?cid=2", "n\nc")]


def test_the_list_name_comes_from_the_file_name(tmp_path):
    path = tmp_path / "Gespeichert" / "Gespeicherte Orte.csv"
    path.parent.mkdir()
    path.write_bytes(WANT_TO_GO)

    with path.open("rb") as stream:
        found = places(parse_saved_list(stream))

    assert {p.list_name for p in found} == {"Gespeicherte Orte"}
    assert list_name_from("Takeout/Saved/Want to go.CSV") == "Want to go"
    assert list_name_from("Takeout\\Saved\\Favourite places.csv") == "Favourite places"


def test_a_row_with_neither_title_nor_url_is_rejected_and_the_rest_kept():
    data = b"Title,Note,URL,Comment\nA,,https://maps.google.com/?cid=1,\n,just a note,,\nB,,https://maps.google.com/?cid=2,\n"

    items = parse(parse_saved_list, data, list_name="L")

    assert reasons(items) == ["malformed_record"]
    assert [p.title for p in places(items)] == ["A", "B"]


@pytest.mark.parametrize(
    "data",
    [
        b'Title,Note,URL,Comment\nA,,https://maps.google.com/?cid=1,\n"B,cut inside a quoted cell',
        b"Title,Note,URL,Comment\nA,,https://maps.google.com/?cid=1,\nB\xff\xfe,,,\n",  # not UTF-8
        b"Title,Note,URL,Comment\nA," + b"x" * (300 * 1024) + b",,\n",  # a 300 KB line
        b"Name,Address\nA,B\n",  # not a saved list's header
    ],
)
def test_a_broken_csv_ends_with_bad_csv(data):
    items = parse(parse_saved_list, data, list_name="L")

    assert reasons(items)[-1] == "bad_csv"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.google.com/maps/place/X/@48.1,11.5,17z", (481000000, 115000000)),
        ("https://www.google.com/maps/place/X/@1,2,3z/data=!3d-33.5!4d151.25", (-335000000, 1512500000)),
        ("http://maps.google.com/?q=40.6892,-74.0445", (406892000, -740445000)),
        ("http://maps.google.com/?ll=10.5,20.25&z=3", (105000000, 202500000)),
        ("http://maps.google.com/?cid=123", None),
        ("http://maps.google.com/?q=95.0,10.0", None),  # out of range: no position, not a wrong one
        ("http://maps.google.com/?q=0,0", None),
        ("http://maps.google.com/?q=1." + "5" * 5000 + ",2", None),
        (None, None),
    ],
)
def test_positions_stated_by_urls(url, expected):
    assert position_from_url(url) == expected


# --- detection -----------------------------------------------------------------------------


def head_of(data: bytes, name: str) -> str | None:
    from sources.detect import Head

    return detect(Head(name, data))


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("Takeout/Maps (your places)/Saved Places.json", SAVED_PLACES, "places.saved"),
        ("Takeout/Maps (Meine Orte)/Gespeicherte Orte.json", collection(NEW_STYLE), "places.saved"),
        ("renamed.json", collection(OLD_STYLE), "places.saved"),
        ("Takeout/Maps/My labeled places/Labeled places.json",
         collection(feature(1, 2, name="Home", address="A")), "places.labeled"),
        ("Takeout/Saved/Want to go.csv", WANT_TO_GO, "places.list"),
        ("Takeout/Gespeichert/Gespeicherte Orte.csv", b"\n" + WANT_TO_GO, "places.list"),
        ("Takeout/Saved/Favourite places.csv", b"\xef\xbb\xbfTitle,Note,URL,Tags,Comment\n", "places.list"),
        # Not ours: other GeoJSON, other CSVs, My Activity, location history.
        ("other.geojson", collection(feature(1, 2, elevation=3)), None),
        ("Takeout/Fit/Daily activity metrics/x.csv", b"Date,Move Minutes count,Calories (kcal)\n", None),
        ("Takeout/My Activity/Maps/MyActivity.json", b'[{"header": "Maps", "title": "Searched for cafe", "time": "'
         b'2020-01-01T00:00:00Z"}]', None),
        ("Takeout/Location History/Records.json", b'{"locations": [{"latitudeE7": 1, "longitudeE7": 2}]}', None),
    ],
)
def test_detection_is_by_content(name, data, expected):
    assert head_of(data, name) == expected


def test_the_registry_names_our_products_and_location_keeps_its_own():
    from sources.location.detect import detect as location

    detectors = (location, detect)
    assert identify("Saved Places.json", SAVED_PLACES, detectors) == "places.saved"
    assert identify("Records.json", b'{"locations": [{"timestamp": "2020-01-01T00:00:00Z"}]}',
                    detectors) == "location.records"


def test_no_real_sample_of_another_product_is_taken_for_saved_places(shared_samples):
    from sources.detect import HEAD_BYTES, Head

    files = sorted(path for path in shared_samples.iterdir() if path.is_file() and path.suffix in (".json", ".html"))
    assert len(files) >= 8
    for path in files:
        assert detect(Head(f"Takeout/{path.name}", path.read_bytes()[:HEAD_BYTES])) is None, path.name


def test_stated_geo_coordinates_only_stand_in_for_a_zero_geometry():
    good_geometry = feature(2.0, 1.0, Title="A", Location={"Geo Coordinates": {"Latitude": "", "Longitude": ""}})
    zero_geometry = feature(0, 0, Title="B", Location={"Geo Coordinates": {"Latitude": "3.5", "Longitude": "4.5"}})
    zero_and_bad = feature(0, 0, Title="C", Location={"Geo Coordinates": {"Latitude": "x", "Longitude": "y"}})

    a, b, c = places(parse(parse_saved_places, collection(good_geometry, zero_geometry, zero_and_bad)))

    assert [(p.lat_e7, p.lng_e7) for p in (a, b, c)] == [(10000000, 20000000), (35000000, 45000000), (None, None)]
