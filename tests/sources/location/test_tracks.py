"""The parsers of location files from other apps (GPX, KML, GeoJSON, OwnTracks, CSV), their detection
by content, and what they do with hostile input: a clear Rejection each, never an exception."""

import io
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from sources.detect import HEAD_BYTES
from sources.location.records import LocationPoint, PlaceVisit
from sources.location.tracks import FORMATS, parse_csv, parse_geojson, parse_gpx, parse_kml, parse_owntracks
from sources.records import Rejection
from sources.registry import detect, source_for
from tests.sources.location.tracks_fixtures import CSV, GEOJSON, GPX, KML, OWNTRACKS


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parse(parser, data: bytes) -> list:
    return list(parser(io.BytesIO(data)))


def points(items) -> list[LocationPoint]:
    return [item for item in items if isinstance(item, LocationPoint)]


def visits(items) -> list[PlaceVisit]:
    return [item for item in items if isinstance(item, PlaceVisit)]


def reasons(items) -> Counter:
    return Counter(item.reason for item in items if isinstance(item, Rejection))


def test_gpx_tracks_routes_and_waypoints():
    items = parse(parse_gpx, GPX)
    found = points(items)
    assert [(p.recorded_at, p.lat_e7, p.lng_e7, p.source) for p in found] == [
        (utc(2024, 5, 14, 10), 488584000, 22945000, "waypoint"),
        (utc(2024, 5, 14, 9), 481000000, 21000000, "route"),
        (utc(2024, 5, 14, 12), 488500000, 23500000, "track"),
        (utc(2024, 5, 14, 12, 1), 488600000, 23600000, "track"),
        (utc(2024, 5, 14, 14), 488700000, 23700000, "track"),
    ]
    assert found[1].utc_offset_minutes == 120
    assert (found[2].altitude_m, found[2].velocity_mps) == (35.5, 4.5)
    # The named, timed waypoint is also a visit; its name is text, HTML and all.
    (visit,) = visits(items)
    assert (visit.started_at, visit.ended_at, visit.name) == (utc(2024, 5, 14, 10), utc(2024, 5, 14, 10),
                                                              "<img src=x onerror=alert(1)> Tour")
    # Untimed: a waypoint and a route point, one Rejection each, said in words.
    assert reasons(items) == {"missing_timestamp": 2}
    assert {r.detail for r in items if isinstance(r, Rejection)} == {"A GPX waypoint has no time.",
                                                                     "A GPX route point has no time."}


def test_kml_placemarks_and_gx_tracks():
    items = parse(parse_kml, KML)
    assert [(p.recorded_at, p.lat_e7, p.lng_e7, p.source) for p in points(items)] == [
        (utc(2024, 5, 15, 8, 30), 488540000, 23327000, "placemark"),
        (utc(2024, 5, 15, 7), 488600000, 23000000, "placemark"),
        (utc(2024, 5, 15, 11), 488500000, 23500000, "track"),
        (utc(2024, 5, 15, 11, 0, 10), 488510000, 23510000, "track"),
        (utc(2024, 5, 15, 11, 0, 20), 488520000, 23520000, "track"),
    ]
    assert points(items)[2].altitude_m == 30.0
    assert [v.name for v in visits(items)] == ["Café <b>Flore</b>", "Span"]
    assert reasons(items) == {"missing_timestamp": 1}  # the planned line


def test_geojson_points_and_lines_with_times():
    items = parse(parse_geojson, GEOJSON)
    assert [(p.recorded_at, p.lat_e7, p.lng_e7, p.source) for p in points(items)] == [
        (utc(2024, 5, 16, 7), 525163000, 133777000, "point"),
        (utc(2024, 5, 16, 7, 10), 525200000, 133800000, "line"),
        (utc(2024, 5, 16, 7, 11), 525300000, 133900000, "line"),
        (utc(2024, 5, 16, 7, 20), 525400000, 134000000, "point"),
    ]
    assert (points(items)[0].accuracy_m, points(items)[0].altitude_m) == (8.0, 40.0)
    assert [v.name for v in visits(items)] == ["Start <script>x</script>"]
    assert reasons(items) == {"missing_timestamp": 2, "unsupported_record": 1}


def test_owntracks_recorder_lines():
    items = parse(parse_owntracks, OWNTRACKS)
    found = points(items)
    assert [(p.recorded_at, p.lat_e7, p.lng_e7) for p in found] == [
        (utc(2024, 5, 17, 6), 413851000, 21734000), (utc(2024, 5, 17, 6, 1), 413861000, 21744000)]
    # The Recorder writes km/h; the lake keeps metres per second.
    assert (found[0].accuracy_m, found[0].altitude_m, found[0].velocity_mps, found[0].heading_deg) == \
        (12.0, 20.0, 10.0, 90.0)
    # A last-will message is no position; the cut last line is one broken record, the rest stays.
    assert reasons(items) == {"unsupported_record": 1, "malformed_record": 1}


def test_csv_with_latitude_longitude_and_time_columns():
    items = parse(parse_csv, CSV)
    found = points(items)
    assert [(p.recorded_at, p.lat_e7, p.lng_e7, p.utc_offset_minutes) for p in found] == [
        (utc(2024, 5, 18, 9), 404168000, -37038000, None),
        (utc(2024, 5, 18, 9, 5), 404178000, -37048000, None),
        (utc(2024, 5, 18, 7, 10), 404188000, -37058000, 120),
    ]
    assert (found[0].accuracy_m, found[0].altitude_m) == (5.0, 650.0)
    assert reasons(items) == {"timestamp_malformed": 1}


@pytest.mark.parametrize(
    ("name", "data", "product"),
    [
        ("Tracks/ride.gpx", GPX, "location.gpx"),
        ("export.xml", GPX.replace(b"<gpx ", b"<gpx:gpx xmlns:gpx='x' ").replace(b"</gpx>", b"</gpx:gpx>"),
         "location.gpx"),
        ("doc.kml", KML, "location.kml"),
        ("history.json", GEOJSON, "location.geojson"),
        ("2024-05.rec", OWNTRACKS, "location.owntracks"),
        ("positions.csv", CSV, "location.csv"),
        ("Positionen.txt", b"Date Time,Lat,Lon\n2024-01-01 10:00:00,1,2\n", "location.csv"),
    ],
)
def test_detected_by_content_whatever_the_name(name, data, product):
    assert detect(name, data[:HEAD_BYTES]) == product
    assert detect("renamed.bin", data[:HEAD_BYTES]) == product
    assert source_for(product).name == "location" and product in FORMATS


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # Google's saved places: a FeatureCollection without times stays the places family's.
        (b'{"type": "FeatureCollection", "features": [{"geometry": {"type": "Point", "coordinates": [2, 48]},'
         b' "properties": {"date": "2024-01-01T00:00:00Z", "google_maps_url": "http://maps.google.com/?cid=1",'
         b' "location": {"name": "x"}}, "type": "Feature"}]}', "places.saved"),
        (b'{"type": "FeatureCollection", "features": [{"properties": {"name": "Home", "address": "1 Rue"}}]}',
         "places.labeled"),
        # A saved list, Fit's daily metrics, a TCX workout, a My Activity page: not a location file.
        (b"Title,Note,URL,Comment\nCafe,,https://maps.google.com/?cid=1,\n", "places.list"),
        (b'<?xml version="1.0"?><TrainingCenterDatabase xmlns="x"><Activities/></TrainingCenterDatabase>',
         "fit.tcx"),
        (b"<html><body><div class='outer-cell'>Searched for gpx</div></body></html>", None),
        (b"name,latitude,longitude\nHome,1,2\n", None),  # no time column
        (b"2024-05-17 06:00:00\tnot owntracks\n", None),
    ],
)
def test_other_files_are_not_claimed(head, expected):
    assert detect("file", head) == expected


def test_a_head_cut_anywhere_decides_its_format_or_nothing():
    for data, product in ((GPX, "location.gpx"), (KML, "location.kml"), (GEOJSON, "location.geojson"),
                          (OWNTRACKS, "location.owntracks"), (CSV, "location.csv")):
        assert {detect("x", data[:n]) for n in range(0, len(data), 7)} <= {product, None}


# --- hostile input -----------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="1" lon="2"><time>2024-01-01T00:00:00Z</time><name>&d;</name></wpt></gpx>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&secret;</name>
<TimeStamp><when>2024-01-01T00:00:00Z</when></TimeStamp><Point><coordinates>2,1</coordinates></Point></Placemark></kml>"""
HUGE = "9" * 5000


@pytest.mark.parametrize(("parser", "data"), [(parse_gpx, BILLION_LAUGHS), (parse_kml, EXTERNAL)])
def test_a_dtd_is_refused_whole_and_no_entity_is_expanded(parser, data):
    items = parse(parser, data)
    assert len(items) == 1 and items[0].reason == "bad_xml" and "DTD" in items[0].detail
    assert "root:" not in items[0].detail and "aaaa" not in items[0].detail


@pytest.mark.parametrize(("parser", "data"), [
    (parse_gpx, GPX), (parse_kml, KML), (parse_geojson, GEOJSON),
])
def test_a_cut_document_keeps_what_came_before_and_says_it_broke_off(parser, data):
    cut = data[: int(len(data) * 0.8)]
    items = parse(parser, cut)
    assert items[-1].reason in ("bad_xml", "bad_json") and items[-1].detail.startswith("Parsing stopped")
    assert all(not isinstance(item, Rejection) or item.reason != "bad_xml" for item in items[:-1])


def test_a_cut_csv_row_is_one_broken_row():
    items = parse(parse_csv, CSV[: CSV.index(b"2024-05-18T09:10") + 20])
    assert len(points(items)) == 2 and reasons(items) == {"malformed_record": 1}


@pytest.mark.parametrize(("parser", "data"), [
    (parse_gpx, f'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="{HUGE}" lon="2">'
                "<time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>".encode()),
    (parse_kml, f'<kml><Placemark><TimeStamp><when>2024-01-01T00:00:00Z</when></TimeStamp><Point>'
                f"<coordinates>2,{HUGE}</coordinates></Point></Placemark></kml>".encode()),
    (parse_geojson, f'{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":'
                    f'{{"time":"2024-01-01T00:00:00Z"}},"geometry":{{"type":"Point","coordinates":[2,{HUGE}]}}}}]}}'
                    .encode()),
    (parse_owntracks, f'2024-01-01T00:00:00Z\t*\t{{"_type":"location","lat":{HUGE},"lon":2,"tst":1704067200}}\n'
                      .encode()),
    (parse_csv, f"time,lat,lon\n2024-01-01T00:00:00Z,{HUGE},2\n".encode()),
])
def test_a_5000_digit_number_is_a_rejection_not_a_crash(parser, data):
    items = parse(parser, data)
    assert not points(items) and len(items) == 1 and isinstance(items[0], Rejection)
    assert items[0].reason in ("bad_number", "malformed_record", "missing_coordinates", "bad_json")
    assert len(items[0].detail) < 400 and len(items[0].sample) <= 400


def test_out_of_range_values_and_wrong_types_are_rejections():
    data = (b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            b'<trkpt lat="91" lon="2"><time>2024-01-01T00:00:00Z</time></trkpt>'
            b'<trkpt lat="1" lon="2"><ele>1e9</ele><time>2024-01-01T00:00:00Z</time></trkpt>'
            b'<trkpt lat="1" lon="2"><time>1850-01-01T00:00:00Z</time></trkpt>'
            b'<trkpt lat="nan" lon="2"><time>2024-01-01T00:00:00Z</time></trkpt>'
            b"</trkseg></trk></gpx>")
    assert reasons(parse(parse_gpx, data)) == {"latitude_out_of_range": 1, "value_out_of_range": 1,
                                               "timestamp_implausible": 1, "bad_number": 1}
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    geo = (b'{"type":"FeatureCollection","features":[1, {"geometry": [], "properties": {}},'
           b'{"properties":{"time":"' + future.encode() + b'"},"geometry":{"type":"Point","coordinates":[2,1]}}]}')
    assert reasons(parse(parse_geojson, geo)) == {"malformed_record": 2, "timestamp_implausible": 1}


def test_a_line_longer_than_64_kib_is_refused_and_the_next_line_still_reads():
    line = b'2024-01-01T00:00:00Z\t*\t{"_type":"location","lat":1,"lon":2,"tst":1704067200,"x":"' + \
        b"a" * 70_000 + b'"}\n'
    good = b'2024-01-01T00:01:00Z\t*\t{"_type":"location","lat":1,"lon":2,"tst":1704067260}\n'
    items = parse(parse_owntracks, line + good)
    assert len(points(items)) == 1 and reasons(items) == {"malformed_record": 1}


def test_binary_or_wrong_encoding_is_a_broken_csv_not_a_crash():
    items = parse(parse_csv, b"time,lat,lon\n2024-01-01T00:00:00Z,1,2\n\xff\xfe\x00garbage,1,2\n")
    assert reasons(items)["bad_csv"] == 1


def test_a_kmz_is_a_zip_whose_doc_kml_the_archive_reader_hands_over(tmp_path):
    from imports.archive import iter_members  # noqa: PLC0415 - the archive reader, for this one case

    kmz = tmp_path / "trip.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.writestr("doc.kml", KML)
    members = list(iter_members(kmz))
    (member,) = members
    with member.open() as stream:
        head = stream.read(HEAD_BYTES)
    assert not member.nested_archive and detect(member.name, head) == "location.kml"
