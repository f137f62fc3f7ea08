"""The location parsers against hand-written fixtures, the real samples in
../shared/takeout-samples, and the bad inputs of SAFETY.md.

Records.json tests run twice: through the orjson batch path and through plain
ijson, which must agree record for record.
"""

import io
import json
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sources.location import parsers as location
from sources.location.parsers import (
    FORMATS,
    parse_android_timeline,
    parse_ios_timeline,
    parse_records,
    parse_semantic,
    parse_settings,
    parse_timeline_edits,
)
from sources.location.records import ActivitySegment, Device, LocationPoint, PlaceVisit, fast_location_point
from sources.records import Rejection
from sources.sanitize import (
    RecordRejected,
    SafeJSONStream,
    clean_text,
    instant_from_epoch,
    instant_from_iso,
    lat_lng_from_text,
    plausible_window,
    sample_of,
    to_float,
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parse(parser, data: bytes | str) -> list:
    if isinstance(data, str):
        data = data.encode()
    return list(parser(io.BytesIO(data)))


def records_parser(fast: bool):
    return lambda stream: location._parse_records(stream, fast=fast)


def reasons(items) -> list[str]:
    return [item.reason for item in items if isinstance(item, Rejection)]


def records_json(*records) -> bytes:
    """Records.json in Google's own layout, which is what the fast path keys on."""
    return json.dumps({"locations": list(records)}, indent=2).encode()


@pytest.fixture
def samples(shared_samples) -> Path:
    return shared_samples


@pytest.fixture(params=[True, False], ids=["orjson-batches", "ijson"])
def records(request):
    if request.param and location.orjson is None:
        pytest.fail("orjson is not installed, so the fast Records.json path cannot be tested.")
    return records_parser(request.param)


class Trickle(io.RawIOBase):
    """A non-seekable stream that hands out a few bytes per read, lazily."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self._data, self._pos, self._step = data, 0, step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data[self._pos : self._pos + min(len(buffer), self._step)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


# --- Records.json -----------------------------------------------------------

FULL_RECORD = {
    "latitudeE7": 525121303,
    "longitudeE7": -1219287261,
    "accuracy": 25,
    "altitude": 48,
    "verticalAccuracy": 3,
    "velocity": 2,
    "heading": 270,
    "source": "wifi",
    "deviceTag": -8070450532247928832,
    "platformType": "ANDROID",
    "activity": [
        {"activity": [{"type": "STILL", "confidence": 60}, {"type": "ON_FOOT", "confidence": 30}]},
        {"activity": [{"type": "walking", "confidence": 75}, {"type": "TILTING", "confidence": 75}]},
    ],
    "locationMetadata": [{"wifiScan": {"accessPoints": [{"mac": "220676014124647", "strength": -34}]}}],
    "timestamp": "2022-01-12T17:18:24.190Z",
}


def test_records_point_keeps_every_field(records):
    assert parse(records, records_json(FULL_RECORD)) == [
        LocationPoint(
            recorded_at=utc(2022, 1, 12, 17, 18, 24, 190000),
            lat_e7=525121303,
            lng_e7=-1219287261,
            accuracy_m=25.0,
            altitude_m=48.0,
            vertical_accuracy_m=3.0,
            velocity_mps=2.0,
            heading_deg=270.0,
            source="WIFI",
            device_tag=-8070450532247928832,
            platform="ANDROID",
            activity_type="WALKING",  # the most confident; the first of a tie
            activity_confidence=75,
        )
    ]


def test_records_reads_timestamp_ms_and_other_iso_forms(records):
    items = parse(
        records,
        records_json(
            {"timestampMs": "1437263846012", "latitudeE7": 1, "longitudeE7": 2},
            {"timestamp": "2023-01-27T22:46:47.389352Z", "latitudeE7": 1, "longitudeE7": 2},
            {"timestamp": "2023-01-27T22:46:47.389352123Z", "latitudeE7": 1, "longitudeE7": 2},
            {"timestamp": "2023-01-27T23:46:47+01:00", "latitudeE7": 1, "longitudeE7": 2},
        ),
    )
    assert [item.recorded_at for item in items] == [
        utc(2015, 7, 18, 23, 57, 26, 12000),
        utc(2023, 1, 27, 22, 46, 47, 389352),
        utc(2023, 1, 27, 22, 46, 47, 389352),
        utc(2023, 1, 27, 22, 46, 47),
    ]
    # Records.json is UTC throughout: it holds no local offsets to keep.
    assert {item.utc_offset_minutes for item in items} == {None}


def test_records_accepts_numbers_as_strings_and_strips_control_characters(records):
    [point] = parse(
        records,
        records_json(
            {
                "timestamp": "2020-01-01T00:00:00Z",
                "latitudeE7": "525121303",
                "longitudeE7": 134309551.0,
                "accuracy": "12.5",
                "source": "G\u0000P\u0007S",
                "platformType": "\u0000",
            }
        ),
    )
    assert (point.lat_e7, point.lng_e7, point.accuracy_m, point.source, point.platform) == (
        525121303,
        134309551,
        12.5,
        "GPS",
        None,
    )


def test_records_undoes_unsigned_32_bit_wraparound(records):
    # -122.0° stored as an unsigned 32-bit integer, a known export bug.
    [point] = parse(
        records, records_json({"timestamp": "2020-01-01T00:00:00Z", "latitudeE7": 1, "longitudeE7": 3074967296})
    )
    assert point.lng_e7 == -1220000000


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"latitudeE7": 910000000, "longitudeE7": 0}, "latitude_out_of_range"),
        ({"latitudeE7": 0, "longitudeE7": 1810000000}, "longitude_out_of_range"),
        ({"longitudeE7": 0}, "missing_coordinates"),
        ({"latitudeE7": True, "longitudeE7": 0}, "malformed_coordinates"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestamp": None}, "missing_timestamp"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestampMs": "-1000"}, "timestamp_implausible"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestampMs": "1437263846"}, "timestamp_wrong_unit"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestampMs": "1437263846012000"}, "timestamp_wrong_unit"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestampMs": "253402300800000"}, "timestamp_implausible"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestampMs": "soon"}, "timestamp_malformed"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestamp": "1969-12-31T23:59:59Z"}, "timestamp_implausible"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestamp": "9999-12-31T23:59:59Z"}, "timestamp_implausible"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestamp": "+10000-01-01T00:00:00Z"}, "timestamp_malformed"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestamp": "2020-01-01"}, "timestamp_malformed"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestamp": 1577836800000}, "timestamp_malformed"),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestamp": "2020-01-01T00:00:00Z", "accuracy": "NaN"}, "bad_number"),
        (
            {"latitudeE7": 0, "longitudeE7": 0, "timestamp": "2020-01-01T00:00:00Z", "velocity": "Infinity"},
            "bad_number",
        ),
        ({"latitudeE7": 0, "longitudeE7": 0, "timestamp": "2020-01-01T00:00:00Z", "deviceTag": "phone"}, "bad_number"),
        (
            {"latitudeE7": 0, "longitudeE7": 0, "timestamp": "2020-01-01T00:00:00Z", "activity": {"x": 1}},
            "malformed_record",
        ),
    ],
)
def test_records_rejects_a_bad_record_and_goes_on(records, record, reason):
    good = {"latitudeE7": 1, "longitudeE7": 2, "timestamp": "2020-01-01T00:00:00Z"}
    items = parse(records, records_json(good, record, good))
    assert reasons(items) == [reason]
    assert isinstance(items[0], LocationPoint) and isinstance(items[2], LocationPoint)
    rejection = items[1]
    assert rejection.detail and len(rejection.sample) <= 300
    assert json.loads(rejection.sample) == json.loads(json.dumps(record))


def test_records_rejects_non_objects_in_the_array(records):
    items = parse(
        records,
        b'{"locations": [1, "x", [], null, {"latitudeE7": 1, "longitudeE7": 2, "timestamp": "2020-01-01T00:00:00Z"}]}',
    )
    assert reasons(items) == ["malformed_record"] * 4
    assert isinstance(items[-1], LocationPoint)


def test_records_sample_is_cut_to_300_characters(records):
    record = {
        "latitudeE7": 0,
        "longitudeE7": 0,
        "timestamp": "2020-01-01T00:00:00Z",
        "source": "X" * 1_000_000,  # long, yet under sanitize.MAX_TOKEN_BYTES
        "accuracy": "NaN",
    }
    [rejection] = parse(records, records_json(record))
    assert rejection.reason == "bad_number"
    assert len(rejection.sample) == 300


# NaN, Infinity, a 5,000-digit integer, a truncated file: the document stops being
# JSON there.  Records before that point are kept; nothing raises.
@pytest.mark.parametrize(
    "poison",
    [b"NaN", b"-Infinity", b"9" * 5000, b"1e999", b"[" * 100_000 + b"]" * 100_000, b'"\x00"', b"tru"],
    ids=["nan", "infinity", "huge-int", "float-overflow", "nested-100k", "raw-nul", "garbage"],
)
def test_records_stop_at_json_that_is_not_json(records, poison):
    good = json.dumps({"latitudeE7": 1, "longitudeE7": 2, "timestamp": "2020-01-01T00:00:00Z"}, indent=2).encode()
    data = b'{\n  "locations": [' + b", ".join([good, good, b'{"latitudeE7": 1, "x": ' + poison + b"}", good]) + b"]\n}"
    items = parse(records, data)
    assert [type(item) for item in items] == [LocationPoint, LocationPoint, Rejection]
    assert items[-1].reason == "bad_json"
    assert items[-1].detail.startswith("Parsing stopped:")


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b'{"locations": [{"latitudeE7": 1', b'{"locations": []} trailing', b"\xff\xfe{}", b"[" * 100_000],
    ids=["empty", "blank", "truncated", "trailing-garbage", "not-utf8", "only-nesting"],
)
def test_records_bad_document_is_one_rejection(records, data):
    items = parse(records, data)
    assert reasons(items) == ["bad_json"]


def test_records_deep_nesting_costs_no_memory(records):
    data = b'{"locations": [{"latitudeE7": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}"
    tracemalloc.start()
    try:
        items = parse(records, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reasons(items) == ["bad_json"]
    assert "nested deeper" in items[0].detail
    assert peak < 5 * len(data)


def test_records_nul_escape_in_text_is_removed(records):
    [point] = parse(
        records,
        b'{"locations": [{"latitudeE7": 1, "longitudeE7": 2, "timestamp": "2020-01-01T00:00:00Z", '
        b'"source": "W\\u0000IFI"}]}',
    )
    assert point.source == "WIFI"


def test_records_lone_surrogate_does_not_derail_the_batch(records):
    rec = {"latitudeE7": 1, "longitudeE7": 2, "timestamp": "2020-01-01T00:00:00Z"}
    data = records_json(rec, rec).replace(b'"latitudeE7": 1,', b'"latitudeE7": 1, "note": "\\ud800",', 1)
    items = parse(records, data)
    assert [type(item) for item in items] == [LocationPoint, LocationPoint]


def test_records_handles_bom_whitespace_and_other_keys(records):
    rec = {"latitudeE7": 1, "longitudeE7": 2, "timestamp": "2020-01-01T00:00:00Z"}
    body = (
        b'\xef\xbb\xbf \n\t{"other": {"locations": [1]}, "locations": [' + json.dumps(rec).encode() + b'], "more": 1}'
    )
    assert len(parse(records, body)) == 1


@pytest.mark.parametrize("indent", [None, 2, 4, "\t"])
def test_records_fast_and_ijson_paths_agree(indent):
    rows = []
    for i in range(3000):
        row = {
            "latitudeE7": 500000000 + i,
            "longitudeE7": 100000000 - i,
            "timestamp": f"2020-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z",
        }
        if i % 3 == 0:
            row["activity"] = [{"activity": [{"type": "STILL", "confidence": 100}], "timestamp": row["timestamp"]}]
        if i % 7 == 0:
            row["source"] = 'wifi }, {\n  "latitudeE7": 1'  # a boundary look-alike inside a string
        if i % 101 == 0:
            row["latitudeE7"] = 999999999
        rows.append(row)
    data = json.dumps({"locations": rows}, indent=indent).encode()
    fast = parse(records_parser(True), data)
    assert fast == parse(records_parser(False), data)
    assert len(fast) == 3000
    assert Counter(reasons(fast)) == {"latitude_out_of_range": 30}


def test_records_reads_a_trickling_non_seekable_stream():
    data = records_json(*[FULL_RECORD] * 50)
    expected = parse(records_parser(True), data)
    assert list(parse_records(io.BufferedReader(Trickle(data)))) == expected
    assert list(parse_records(Trickle(data, step=1))) == expected


class Failing(io.RawIOBase):
    def __init__(self, data: bytes, error: BaseException) -> None:
        self._data, self._error = data, error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._data:
            raise self._error
        n = min(len(buffer), len(self._data), 1000)
        buffer[:n], self._data = self._data[:n], self._data[n:]
        return n


@pytest.mark.parametrize("error", [OSError("CRC mismatch"), ValueError("I/O operation on closed file")])
@pytest.mark.parametrize("parser", [records_parser(True), records_parser(False), parse_semantic])
def test_stream_errors_propagate_instead_of_becoming_bad_json(parser, error):
    data = records_json(*[FULL_RECORD] * 20)[:-100]
    with pytest.raises(type(error), match=str(error)):
        list(parser(Failing(data, error)))


_GENERATED_RECORD = (
    b"  }, {\n"
    b'    "latitudeE7": %d,\n    "longitudeE7": %d,\n    "accuracy": %d,\n    "source": "WIFI",\n'
    b'    "deviceTag": 335552189,\n    "activity": [{\n      "activity": [{\n        "type": "STILL",\n'
    b'        "confidence": 100\n      }],\n      "timestamp": "%s"\n    }],\n    "timestamp": "%s"\n'
)


def _generated_records(count: int):
    """Records.json in Google's layout, one point per second from 2020-01-01, 100 records per piece."""
    yield b'{\n  "locations": [{\n'
    for first in range(0, count, 100):
        piece = []
        for i in range(first, min(first + 100, count)):
            day, second = divmod(i, 86400)
            at = b"2020-01-%02dT%02d:%02d:%02d.000Z" % (day + 1, second // 3600, second // 60 % 60, second % 60)
            piece.append(_GENERATED_RECORD % (525121303 + i % 1000, 134309551 - i % 1000, i % 50, at, at))
        piece[0] = piece[0][len(b"  }, {\n") :] if first == 0 else piece[0]
        yield b"".join(piece)
    yield b"  }]\n}\n"


class Generated(io.RawIOBase):
    """Bytes produced on demand: the whole document never exists in memory."""

    def __init__(self, chunks) -> None:
        self._chunks, self._pending = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n], self._pending = self._pending[:n], self._pending[n:]
        return n


# tracemalloc makes every allocation slow; the ijson path (the fallback) proves
# the same flatness on fewer points.
@pytest.mark.parametrize(
    ("fast", "count"), [(True, 300_000), (False, 50_000)], ids=["orjson-batches-300k", "ijson-50k"]
)
def test_records_memory_stays_flat(fast, count):
    tracemalloc.start()
    try:
        seen = last = 0
        for item in location._parse_records(Generated(_generated_records(count)), fast=fast):
            assert isinstance(item, LocationPoint)
            seen += 1
            last = item
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == count
    assert last.recorded_at == datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=count - 1)
    # 300k points make about 100 MB of JSON; what is held at once is a batch or two.
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_records_real_sample(samples):
    items = list(parse_records((samples / "records-reitti.json").open("rb")))
    assert reasons(items) == []
    assert len(items) == 95
    assert items[0] == LocationPoint(
        recorded_at=utc(2013, 4, 15, 6, 31, 26, 860000),
        lat_e7=525121303,
        lng_e7=134309551,
        accuracy_m=25.0,
        source="GPS",
        device_tag=335552189,
    )
    assert items[-1].recorded_at == utc(2013, 4, 15, 8, 53, 31, 548000)
    assert (items[-1].activity_type, items[-1].activity_confidence) == ("STILL", 100)
    assert items == parse(records_parser(False), (samples / "records-reitti.json").read_bytes())


def test_legacy_location_history_real_sample(samples):
    items = list(FORMATS["location.legacy"]((samples / "location-history-legacy-dogsheep.json").open("rb")))
    assert items == [
        LocationPoint(
            recorded_at=utc(2015, 7, 18, 23, 57, 26, 12000), lat_e7=376955289, lng_e7=-1219287261, accuracy_m=45.0
        ),
        LocationPoint(
            recorded_at=utc(2015, 7, 18, 23, 58, 25, 529000),
            lat_e7=376955454,
            lng_e7=-1219287454,
            accuracy_m=43.0,
            activity_type="UNKNOWN",
            activity_confidence=40,
        ),
    ]


# --- Settings.json ------------------------------------------------------------


def test_settings_yield_devices():
    data = {
        "createdTime": "2013-05-15T21:53:59.385Z",
        "historyEnabled": True,
        "deviceSettings": [
            {"deviceTag": 1234567890, "devicePrettyName": "ONEPLUS\u0000 A6013", "platformType": "ANDROID"},
            {"deviceTag": -538926953, "platformType": "ios"},
            {"devicePrettyName": "no tag"},
        ],
        "retentionWindowDays": 540,
    }
    items = parse(parse_settings, json.dumps(data))
    assert items[:2] == [
        Device(device_tag=1234567890, name="ONEPLUS A6013", platform="ANDROID"),
        Device(device_tag=-538926953, name=None, platform="IOS"),
    ]
    assert reasons(items) == ["malformed_record"]


# --- Semantic Location History ------------------------------------------------

SEMANTIC = {
    "timelineObjects": [
        {
            "placeVisit": {
                "location": {
                    "latitudeE7": 414216106,
                    "longitudeE7": 21684775,
                    "placeId": "ChIJk_s92NyipBIRUMnDG8Kq2Js",
                    "address": "C/ de Mallorca, 401\n08013 Barcelona\u0000",
                    "name": "La Sagrada Familia",
                    "semanticType": "TYPE_SEARCHED_ADDRESS",
                },
                "duration": {"startTimestamp": "2022-03-03T08:27:48Z", "endTimestamp": "2022-03-03T10:45:09.962Z"},
                "visitConfidence": 95,
                "childVisits": [
                    {
                        "location": {"latitudeE7": 414216000, "longitudeE7": 21684000, "placeId": "child"},
                        "duration": {"startTimestampMs": "1646296068000", "endTimestampMs": "1646299668000"},
                    },
                    {
                        "location": {"latitudeE7": 914216000, "longitudeE7": 0},
                        "duration": {"startTimestamp": "2022-03-03T08:27:48Z"},
                    },
                ],
            }
        },
        {
            "activitySegment": {
                "startLocation": {"latitudeE7": 416119834, "longitudeE7": 21768624},
                "endLocation": {"latitudeE7": 416119262, "longitudeE7": 21802315, "sourceInfo": {"deviceTag": 1}},
                "duration": {"startTimestampMs": "1646296068315", "endTimestampMs": "1646296309962"},
                "distance": 292,
                "activityType": "WALKING",
                "confidence": "HIGH",
                "activities": [
                    {"activityType": "IN_PASSENGER_VEHICLE", "probability": 1.5546560287475586},
                    {"activityType": "WALKING", "probability": 95.93904614448547},
                ],
                "waypointPath": {
                    "waypoints": [{"latE7": 416119834, "lngE7": 21768624}, {"latE7": 416117012, "lngE7": 21899302}]
                },
            }
        },
        {
            "activitySegment": {
                "duration": {"startTimestamp": "2022-03-03T08:27:48Z"},
                "waypointPath": {"waypoints": [{"latE7": 910000000, "lngE7": 0}]},
            }
        },
        {"activitySegment": {"startLocation": {}, "endLocation": {}, "duration": {}}},
        {"transitSomething": {}},
    ]
}


def test_semantic_visits_children_and_segments():
    items = parse(parse_semantic, json.dumps(SEMANTIC))
    assert items[:4] == [
        PlaceVisit(
            started_at=utc(2022, 3, 3, 8, 27, 48),
            ended_at=utc(2022, 3, 3, 10, 45, 9, 962000),
            lat_e7=414216106,
            lng_e7=21684775,
            place_id="ChIJk_s92NyipBIRUMnDG8Kq2Js",
            name="La Sagrada Familia",
            address="C/ de Mallorca, 401\n08013 Barcelona",
            semantic_type="TYPE_SEARCHED_ADDRESS",
            confidence=0.95,
        ),
        PlaceVisit(
            started_at=utc(2022, 3, 3, 8, 27, 48),
            ended_at=utc(2022, 3, 3, 9, 27, 48),
            lat_e7=414216000,
            lng_e7=21684000,
            place_id="child",
            is_child=True,
        ),
        Rejection(reason="latitude_out_of_range", detail=items[2].detail, sample=items[2].sample),
        ActivitySegment(
            started_at=utc(2022, 3, 3, 8, 27, 48, 315000),
            ended_at=utc(2022, 3, 3, 8, 31, 49, 962000),
            start_lat_e7=416119834,
            start_lng_e7=21768624,
            end_lat_e7=416119262,
            end_lng_e7=21802315,
            distance_m=292.0,
            activity_type="WALKING",
            confidence=pytest.approx(0.9593904614448547),
            waypoints=((416119834, 21768624), (416117012, 21899302)),
        ),
    ]
    assert "914216000" in items[2].sample
    assert reasons(items[4:]) == ["latitude_out_of_range", "missing_timestamp", "unsupported_record"]


def test_semantic_real_sample(samples):
    items = list(parse_semantic((samples / "semantic-2013-dawarich.json").open("rb")))
    assert reasons(items) == []
    assert [type(item) for item in items] == [ActivitySegment] * 3
    first, second, last = items
    assert (first.started_at, first.ended_at) == (
        utc(2013, 12, 1, 7, 5, 14, 222000),
        utc(2013, 12, 1, 7, 11, 13, 214000),
    )
    assert last.ended_at == utc(2013, 12, 1, 9, 11, 45, 637000)
    assert (first.start_lat_e7, first.end_lng_e7) == (None, None)  # "startLocation": {}
    assert first.waypoints == ((533407440, 837026901), (533410301, 837051010))
    # No activityType: the first (most probable) candidate; no distance: the path's.
    assert (first.activity_type, first.distance_m) == ("WALKING", 209.65263509609417)
    assert (second.activity_type, second.distance_m, second.confidence) == ("IN_VEHICLE", 3853.0, 0.0)


# --- Timeline Edits.json ------------------------------------------------------

TIMELINE_EDITS = {
    "timelineEdits": [
        {
            "deviceId": "-538926953",
            "rawSignal": {
                "signal": {
                    "position": {
                        "point": {"latE7": 426974802, "lngE7": -778539156},
                        "accuracyMm": 13000,
                        "altitudeMeters": 224.0,
                        "source": "WIFI",
                        "speedMetersPerSecond": 1.5,
                        "timestamp": "2024-02-17T04:14:41.412Z",
                    }
                },
                "additionalTimestamp": "2024-02-17T04:14:39.545Z",
                "metadata": {"platform": "ANDROID"},
            },
        },
        {
            "deviceId": "0",
            "rawSignal": {"signal": {"wifiScan": {"deliveryTime": "2024-02-17T04:26:44.661Z", "devices": []}}},
        },
        {
            "deviceId": "0",
            "rawSignal": {
                "signal": {"activityRecord": {"detectedActivities": [], "timestamp": "2024-02-17T05:26:47.066Z"}}
            },
        },
        {
            "deviceId": "0",
            "placeAggregates": {
                "placeAggregateInfo": [
                    {"score": 1228.0, "point": {"latE7": 429362473, "lngE7": -788308560}, "placeId": "ChIJ"}
                ],
                "windowSizeHrs": 2011,
                "processWindow": {"startTime": "2023-12-14T08:00:55Z", "endTime": "2024-03-07T08:00:55Z"},
            },
        },
        {"deviceId": "0", "placeAggregates": {"placeAggregateInfo": [], "windowSizeHrs": 2011}},
        {
            "deviceId": "0",
            "rawSignal": {"signal": {"position": {"point": {"latE7": 426974802}, "timestamp": "2024-02-17T04:14:41Z"}}},
        },
    ]
}


def test_timeline_edits_positions_in_metres():
    items = parse(parse_timeline_edits, json.dumps(TIMELINE_EDITS))
    assert items[0] == LocationPoint(
        recorded_at=utc(2024, 2, 17, 4, 14, 41, 412000),
        lat_e7=426974802,
        lng_e7=-778539156,
        accuracy_m=13.0,  # accuracyMm 13000
        altitude_m=224.0,
        velocity_mps=1.5,
        source="WIFI",
        device_tag=-538926953,
        platform="ANDROID",
    )
    # wifiScan and activityRecord carry no position; an empty aggregate carries
    # nothing; an aggregate with places is reported, not silently dropped.
    assert reasons(items[1:]) == ["unsupported_record", "missing_coordinates"]
    assert "2011 hours" in items[1].detail
    assert len(items) == 3


# --- Android Timeline.json ----------------------------------------------------

ANDROID = {
    "semanticSegments": [
        {
            "startTime": "2019-04-03T08:13:57.000+02:00",
            "endTime": "2019-04-03T09:00:00.000+02:00",
            "startTimeTimezoneUtcOffsetMinutes": 120,
            "endTimeTimezoneUtcOffsetMinutes": 120,
            "visit": {
                "hierarchyLevel": 1,
                "probability": 0.9,
                "topCandidate": {
                    "placeId": "ChIJ7cz",
                    "semanticType": "Inferred_Home",
                    "probability": 0.5,
                    "placeLocation": {"latLng": "48.8566°, 2.3522°"},
                },
            },
        },
        {
            "startTime": "2019-04-03T09:00:00.000+02:00",
            "endTime": "2019-04-03T09:30:00.000+02:00",
            "activity": {
                "start": {"latLng": "48.8566°, 2.3522°"},
                "end": {"latLng": "-27.4131130°, 163.5643022°"},
                "distanceMeters": 8856.0,
                "topCandidate": {"type": "cycling", "probability": 0.75},
            },
        },
        {
            "startTime": "2019-04-03T08:00:00.000+02:00",
            "endTime": "2019-04-03T10:00:00.000+02:00",
            "timelinePath": [
                {"point": "48.8566°, 2.3522°", "time": "2019-04-03T08:15:00.000+02:00"},
                {"point": "91.0°, 2.3522°", "time": "2019-04-03T08:16:00.000+02:00"},
                {"point": "48.8566°, 2.3522°", "time": "2019-04-03T06:17:00.000Z"},
            ],
        },
        {"startTime": "2019-04-03T08:00:00.000+02:00", "timelineMemory": {"destinations": [{"identifier": "x"}]}},
        {"startTime": "2019-04-03T08:00:00.000+02:00", "endTime": "2019-04-03T07:00:00.000+02:00", "visit": {}},
    ],
    "rawSignals": [
        {
            "position": {
                "LatLng": "-27.4129293°, 163.5639147°",
                "accuracyMeters": 11,
                "altitudeMeters": 46.70000076293945,
                "source": "WIFI",
                "timestamp": "2025-07-19T06:31:35.000+10:00",
                "speedMetersPerSecond": 0.0,
            }
        },
        {"wifiScan": {}},
        {"activityRecord": {"probableActivities": []}},
        {},
    ],
    "userLocationProfile": {"frequentPlaces": [{"placeId": "x", "placeLocation": "1°, 2°", "label": "HOME"}]},
}


def test_android_timeline_keeps_offsets():
    items = parse(parse_android_timeline, json.dumps(ANDROID, ensure_ascii=False))
    assert items == [
        PlaceVisit(
            started_at=utc(2019, 4, 3, 6, 13, 57),
            ended_at=utc(2019, 4, 3, 7),
            lat_e7=488566000,
            lng_e7=23522000,
            utc_offset_minutes=120,
            place_id="ChIJ7cz",
            semantic_type="INFERRED_HOME",
            confidence=0.9,
            is_child=True,
        ),
        ActivitySegment(
            started_at=utc(2019, 4, 3, 7),
            ended_at=utc(2019, 4, 3, 7, 30),
            start_lat_e7=488566000,
            start_lng_e7=23522000,
            end_lat_e7=-274131130,
            end_lng_e7=1635643022,
            utc_offset_minutes=120,  # from the "+02:00" of startTime
            distance_m=8856.0,
            activity_type="CYCLING",
            confidence=0.75,
        ),
        LocationPoint(recorded_at=utc(2019, 4, 3, 6, 15), lat_e7=488566000, lng_e7=23522000, utc_offset_minutes=120),
        items[3],
        # "Z" states no local offset: the segment's stands.
        LocationPoint(recorded_at=utc(2019, 4, 3, 6, 17), lat_e7=488566000, lng_e7=23522000, utc_offset_minutes=120),
        items[5],
        LocationPoint(
            recorded_at=utc(2025, 7, 18, 20, 31, 35),
            lat_e7=-274129293,
            lng_e7=1635639147,
            utc_offset_minutes=600,
            accuracy_m=11.0,
            altitude_m=46.70000076293945,
            velocity_mps=0.0,
            source="WIFI",
        ),
    ]
    assert reasons(items) == ["latitude_out_of_range", "timestamp_implausible"]
    assert "91.0°" in items[3].sample


def test_android_timeline_real_sample(samples):
    items = list(parse_android_timeline((samples / "timeline-android-reitti.json").open("rb")))
    assert reasons(items) == []
    assert Counter(type(item) for item in items) == {LocationPoint: 83, PlaceVisit: 7, ActivitySegment: 5}
    assert items[0] == LocationPoint(
        recorded_at=utc(2017, 5, 2, 2, 12), lat_e7=-274127738, lng_e7=1635638958, utc_offset_minutes=600
    )
    assert items[-1].recorded_at == utc(2025, 7, 18, 20, 32, 3)
    assert items[-1].source == "GPS"
    assert {item.utc_offset_minutes for item in items} == {600}


def test_android_timeline_stops_at_bad_json_keeping_what_came_before():
    text = json.dumps(ANDROID["semanticSegments"][:2], ensure_ascii=False)
    items = parse(parse_android_timeline, '{"semanticSegments": ' + text[:-1] + ', {"startTime": NaN}]}')
    assert [type(item) for item in items] == [PlaceVisit, ActivitySegment, Rejection]
    assert items[-1].reason == "bad_json"


# --- iOS location-history.json ------------------------------------------------

IOS = [
    {
        "endTime": "2024-01-01T18:00:00.000+02:00",
        "startTime": "2024-01-01T12:00:00.000+02:00",
        "visit": {
            "hierarchyLevel": "0",
            "topCandidate": {
                "probability": "0.8",
                "semanticType": "Unknown",
                "placeID": "ChIJiQ4",
                "placeLocation": "geo:55.605843,24.7647107",
            },
            "probability": "0.9",
        },
    },
    {
        "endTime": "2024-01-01T10:00:00.000Z",
        "startTime": "2024-01-01T09:00:00.000Z",
        "activity": {
            "end": "geo:34.099208,-118.259178",
            "topCandidate": {"type": "walking", "probability": "0.5"},
            "distanceMeters": "1234.5",
            "start": "geo:34.1,-118.2",
            "probability": "0.7",
        },
    },
    {
        "endTime": "2024-01-01T12:00:00.000+02:00",
        "startTime": "2024-01-01T10:00:00.000+02:00",
        "timelinePath": [
            {"point": "geo:55.6,24.7", "durationMinutesOffsetFromStartTime": "10"},
            {"point": "geo:55.6,24.7", "durationMinutesOffsetFromStartTime": "NaN"},
            {"point": "geo:55.6", "durationMinutesOffsetFromStartTime": "11"},
        ],
    },
    {
        "endTime": "2024-01-02T00:00:00.000Z",
        "startTime": "2024-01-01T00:00:00.000Z",
        "timelineMemory": {"distanceFromOriginKms": "12"},
    },
    {"startTime": "2024-01-01T00:00:00.000Z", "mystery": {}},
]


def test_ios_timeline_reads_strings_everywhere():
    items = parse(parse_ios_timeline, json.dumps(IOS))
    assert items[:3] == [
        PlaceVisit(
            started_at=utc(2024, 1, 1, 10),
            ended_at=utc(2024, 1, 1, 16),
            lat_e7=556058430,
            lng_e7=247647107,
            utc_offset_minutes=120,
            place_id="ChIJiQ4",
            semantic_type="UNKNOWN",
            confidence=0.9,
        ),
        ActivitySegment(
            started_at=utc(2024, 1, 1, 9),
            ended_at=utc(2024, 1, 1, 10),
            start_lat_e7=341000000,
            start_lng_e7=-1182000000,
            end_lat_e7=340992080,
            end_lng_e7=-1182591780,
            distance_m=1234.5,
            activity_type="WALKING",
            confidence=0.5,
        ),
        LocationPoint(recorded_at=utc(2024, 1, 1, 8, 10), lat_e7=556000000, lng_e7=247000000, utc_offset_minutes=120),
    ]
    assert reasons(items[3:]) == ["bad_number", "malformed_coordinates", "unsupported_record"]
    assert len(items) == 6


# --- shared pieces ------------------------------------------------------------


def test_fast_location_point_is_a_genuine_frozen_point():
    values = (utc(2020, 1, 1), 1, 2, 60, 3.0, 4.0, 5.0, 6.0, 7.0, "GPS", 8, "IOS", "STILL", 100)
    point = fast_location_point(*values)
    assert type(point) is LocationPoint
    assert point == LocationPoint(*values) and hash(point) == hash(LocationPoint(*values))
    with pytest.raises(AttributeError):
        point.lat_e7 = 5


def test_formats_name_every_parser():
    expected = {
        "location.records": parse_records,
        "location.legacy": parse_records,
        "location.settings": parse_settings,
        "location.semantic": parse_semantic,
        "location.timeline_edits": parse_timeline_edits,
        "location.android": parse_android_timeline,
        "location.ios": parse_ios_timeline,
    }
    assert expected == FORMATS


@pytest.mark.parametrize("parser", list(FORMATS.values()))
@pytest.mark.parametrize("data", [b"", b"NaN", b"[" * 100_000, b'{"a": ' + b"1" * 5000 + b"}", b"\x00\x01"])
def test_every_parser_survives_garbage(parser, data):
    items = list(parser(io.BytesIO(data)))
    assert reasons(items) == ["bad_json"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48.8566°, 2.3522°", (488566000, 23522000)),
        ("-27.4127738°, 163.5638958°", (-274127738, 1635638958)),
        ("geo:55.605843,24.7647107", (556058430, 247647107)),
        ("geo:-33.5,151.25;u=35", (-335000000, 1512500000)),
        (" 1.5 , -2 ", (15000000, -20000000)),
    ],
)
def test_lat_lng_text_forms(text, expected):
    assert lat_lng_from_text(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("91°, 0°", "latitude_out_of_range"),
        ("0°, -180.5°", "longitude_out_of_range"),
        ("geo:nan,1", "malformed_coordinates"),
        ("48.8566° N, 2.3522° E", "malformed_coordinates"),
        (None, "missing_coordinates"),
        (4.5, "malformed_coordinates"),
    ],
)
def test_lat_lng_text_rejections(text, reason):
    with pytest.raises(RecordRejected) as caught:
        lat_lng_from_text(text)
    assert caught.value.reason == reason


def test_iso_instants_keep_stated_offsets():
    window = plausible_window()
    assert instant_from_iso("2019-04-03T08:13:57.000+02:00", window) == (utc(2019, 4, 3, 6, 13, 57), 120)
    assert instant_from_iso("2019-04-03T08:13:57-05:30", window) == (utc(2019, 4, 3, 13, 43, 57), -330)
    assert instant_from_iso("2019-04-03T08:13:57+00:00", window) == (utc(2019, 4, 3, 8, 13, 57), 0)
    assert instant_from_iso("2019-04-03T08:13:57.123456789Z", window) == (utc(2019, 4, 3, 8, 13, 57, 123456), None)
    assert instant_from_iso("2019-04-03T08:13:57", window) == (utc(2019, 4, 3, 8, 13, 57), None)


def test_epoch_units():
    window = plausible_window()
    assert instant_from_epoch(1437263846, "seconds", window) == utc(2015, 7, 18, 23, 57, 26)
    assert instant_from_epoch("1437263846012", "milliseconds", window) == utc(2015, 7, 18, 23, 57, 26, 12000)
    for value, unit, reason in [
        (1437263846012, "seconds", "timestamp_wrong_unit"),
        (-1, "seconds", "timestamp_implausible"),
        (10**30, "milliseconds", "timestamp_implausible"),
        (float("nan"), "seconds", "timestamp_malformed"),
        ("1e3", "seconds", "timestamp_malformed"),
        (True, "seconds", "timestamp_malformed"),
    ]:
        with pytest.raises(RecordRejected) as caught:
            instant_from_epoch(value, unit, window)
        assert caught.value.reason == reason, (value, unit)


def test_plausible_window_ends_a_day_after_now():
    now = utc(2030, 6, 1)
    assert plausible_window(now) == (utc(1990, 1, 1), utc(2030, 6, 2))


@pytest.mark.parametrize(
    "value", ["nan", "NaN", "inf", "-Infinity", "1_000", "0x10", "", "1e999", True, [], float("inf")]
)
def test_to_float_refuses_non_finite_and_odd_values(value):
    with pytest.raises(RecordRejected) as caught:
        to_float(value, "x")
    assert caught.value.reason == "bad_number"


def test_clean_text():
    assert clean_text("a\x00b\x01c\td\ne\ud800") == "abc\td\ne"
    assert clean_text("x" * 5000) == "x" * 2000
    assert clean_text("\x00") is None
    assert clean_text("Café ☕") == "Café ☕"


def test_sample_is_short_json_without_nul():
    sample = sample_of({"name": "a\x00b" * 1000, "list": list(range(1000))})
    assert len(sample) == 300
    assert "\x00" not in sample and sample.startswith('{"name": "a\\u0000b')


@pytest.mark.parametrize("step", [1, 3, 1024])
def test_safe_stream_tracks_depth_across_chunks_and_strings(step):
    def depth_ok(data: bytes, limit: int) -> bool:
        reader = SafeJSONStream(Trickle(data, step), max_depth=limit)
        try:
            while reader.read(step):
                pass
        except ValueError:
            return False
        return True

    nested = b'{"a": [{"b": [1, {"c": "]]]}}}\\\\", "d": "\\"[[[[[["}]}]}'
    assert json.loads(nested)["a"][0]["b"][1] == {"c": "]]]}}}\\", "d": '"[[[[[['}
    assert depth_ok(nested, 5)
    assert not depth_ok(nested, 4)
    assert depth_ok(b'"' + b"[" * 1000 + b'"', 1)
    assert not depth_ok(b"[" * 65, 64)


def test_safe_stream_drops_bom_and_keeps_head():
    reader = SafeJSONStream(io.BytesIO(b"fg"), b"\xef\xbb\xbfabcde")
    assert reader.read(0) == b""
    assert reader.read(3) == b"abc"
    assert reader.read(100) == b"de"
    assert reader.read(100) == b"fg"
    assert reader.read(100) == b""
