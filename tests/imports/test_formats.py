"""Every location format, end to end: file in, rows in the lake's tables out."""

import json

from core.rls import user_scope
from imports.models import ImportMember, ImportRun
from tests.imports.conftest import LH, all_rows, count_rows, make_tgz, make_zip, records_json


def test_legacy_location_history_with_timestamp_ms_and_settings_names_the_device(import_files, alice, tmp_path):
    legacy = json.dumps({"locations": [
        {"timestampMs": "1364860800000", "latitudeE7": 525121303, "longitudeE7": 134309551, "accuracy": 20,
         "deviceTag": 77},
        {"timestampMs": "1364860860000", "latitudeE7": 525121304, "longitudeE7": 134309552, "deviceTag": 77},
    ]}).encode()
    settings = json.dumps({"deviceSettings": [{"deviceTag": 77, "devicePrettyName": "Pixel 7",
                                               "platformType": "ANDROID"}], "historyEnabled": True}).encode()
    archive = make_zip(tmp_path / "takeout.zip", {"Takeout/Location History/Location History.json": legacy,
                                                  "Takeout/Location History/Settings.json": settings})

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert run.products["location.legacy"]["accepted"] == 2
    assert run.products["location.legacy"]["first"] == "2013-04-02T00:00:00.000000Z"
    assert all_rows(alice, "user_data.device", "device_tag, name, platform") == [(77, "Pixel 7", "ANDROID")]


def test_semantic_month_file_gives_visits_child_visits_and_segments_with_waypoints(import_files, alice, tmp_path):
    semantic = json.dumps({"timelineObjects": [
        {"placeVisit": {"location": {"latitudeE7": 488566000, "longitudeE7": 23522000, "placeId": "p1",
                                     "name": "Café\u0000 de Flore", "address": "Paris"},
                        "duration": {"startTimestamp": "2019-05-01T08:00:00Z", "endTimestamp": "2019-05-01T09:00:00Z"},
                        "visitConfidence": 90,
                        "childVisits": [{"location": {"latitudeE7": 488567000, "longitudeE7": 23523000},
                                         "duration": {"startTimestampMs": "1556701200000",
                                                      "endTimestampMs": "1556702000000"}}]}},
        {"activitySegment": {"startLocation": {"latitudeE7": 488566000, "longitudeE7": 23522000},
                             "endLocation": {"latitudeE7": 488600000, "longitudeE7": 23600000},
                             "duration": {"startTimestamp": "2019-05-01T09:00:00Z",
                                          "endTimestamp": "2019-05-01T09:20:00Z"},
                             "distance": 1200, "activityType": "WALKING",
                             "activities": [{"activityType": "WALKING", "probability": 80}],
                             "waypointPath": {"waypoints": [{"latE7": 488570000, "lngE7": 23530000},
                                                            {"latE7": 488580000, "lngE7": 23540000}]}}},
    ]}).encode()
    archive = make_zip(tmp_path / "takeout.zip", {
        "Takeout/Standortverlauf/Semantic Location History/2019/2019_MAY.json": semantic})

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert run.products["location.semantic"]["accepted"] == 3
    visits = all_rows(alice, "timeseries.place_visit", "started_at, name, is_child, confidence")
    assert [(v[1], v[2]) for v in visits] == [("Café de Flore", False), ("", True)]
    assert visits[0][3] == 0.9
    segment = all_rows(alice, "timeseries.activity_segment", "started_at, activity_type, waypoints, distance_m")
    assert (segment[0][1], json.loads(segment[0][2]), segment[0][3]) == (
        "WALKING", [[488570000, 23530000], [488580000, 23540000]], 1200.0)


def test_timeline_edits_convert_accuracy_mm_and_keep_the_offset(import_files, alice, tmp_path):
    edits = json.dumps({"timelineEdits": [
        {"deviceId": "5", "rawSignal": {"signal": {"position": {
            "point": {"latE7": 515000000, "lngE7": -1000000}, "accuracyMm": 12500,
            "timestamp": "2023-06-01T10:00:00.000+02:00", "source": "GPS"}}, "metadata": {"platform": "ANDROID"}}},
        {"deviceId": "5", "rawSignal": {"signal": {"wifiScan": {}}}},
    ]}).encode()
    archive = make_zip(tmp_path / "t.zip", {f"{LH}/Timeline Edits.json": edits})

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    rows = all_rows(alice, "timeseries.location_point", "recorded_at, accuracy_m, utc_offset_minutes, product")
    assert len(rows) == 1
    assert rows[0][0].isoformat() == "2023-06-01T08:00:00+00:00"
    assert rows[0][1:] == (12.5, 120, "location.timeline_edits")


def test_android_timeline_json_uploaded_bare_and_renamed(import_files, alice, tmp_path):
    phone = tmp_path / "my phone export (1).json"
    phone.write_text(json.dumps({"semanticSegments": [
        {"startTime": "2024-01-05T08:00:00.000+01:00", "endTime": "2024-01-05T09:00:00.000+01:00",
         "startTimeTimezoneUtcOffsetMinutes": 60,
         "visit": {"hierarchyLevel": 0, "probability": 0.8,
                   "topCandidate": {"placeId": "abc", "semanticType": "HOME",
                                    "placeLocation": {"latLng": "48.8566°, 2.3522°"}}}},
        {"startTime": "2024-01-05T09:00:00.000+01:00", "endTime": "2024-01-05T10:00:00.000+01:00",
         "timelinePath": [{"point": "48.86°, 2.36°", "time": "2024-01-05T09:10:00.000+01:00"}]},
    ], "rawSignals": [{"position": {"LatLng": "48.87°, 2.37°", "accuracyMeters": 9,
                                    "timestamp": "2024-01-05T10:30:00.000+01:00"}}]}), encoding="utf-8")

    run = import_files(phone)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert run.products["location.android"]["accepted"] == 3
    assert all_rows(alice, "timeseries.place_visit", "lat_e7, lng_e7, utc_offset_minutes, semantic_type") == [
        (488566000, 23522000, 60, "HOME")]
    points = all_rows(alice, "timeseries.location_point", "recorded_at, lat_e7, utc_offset_minutes")
    assert [(p[0].isoformat(), p[1], p[2]) for p in points] == [
        ("2024-01-05T08:10:00+00:00", 488600000, 60), ("2024-01-05T09:30:00+00:00", 488700000, 60)]


def test_ios_location_history_with_string_numbers_and_minute_offsets(import_files, alice, tmp_path):
    ios = tmp_path / "location-history.json"
    ios.write_text(json.dumps([
        {"startTime": "2024-02-01T07:00:00.000-05:00", "endTime": "2024-02-01T08:00:00.000-05:00",
         "visit": {"hierarchyLevel": "0", "probability": "0.7",
                   "topCandidate": {"placeID": "ChIJ", "semanticType": "Work", "probability": "0.6",
                                    "placeLocation": "geo:40.7128,-74.0060"}}},
        {"startTime": "2024-02-01T08:00:00.000-05:00", "endTime": "2024-02-01T09:00:00.000-05:00",
         "timelinePath": [{"point": "geo:40.7200,-74.0100", "durationMinutesOffsetFromStartTime": "15"}]},
    ]), encoding="utf-8")

    run = import_files(ios)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert run.products["location.ios"]["accepted"] == 2
    assert all_rows(alice, "timeseries.place_visit", "lat_e7, lng_e7, utc_offset_minutes, place_id") == [
        (407128000, -740060000, -300, "ChIJ")]
    points = all_rows(alice, "timeseries.location_point", "recorded_at, lat_e7, utc_offset_minutes")
    assert [(p[0].isoformat(), p[1], p[2]) for p in points] == [("2024-02-01T13:15:00+00:00", 407200000, -300)]


def test_a_tgz_part_is_read_like_a_zip(import_files, alice, tmp_path):
    part = make_tgz(tmp_path / "takeout-001.tgz", {
        f"{LH}/Records.json": records_json([("2020-01-01T00:00:00Z", 1, 2), ("2020-01-01T00:01:00Z", 3, 4)]),
        "Takeout/archive_browser.html": b"<html><body><div class='service-details'>x</div></body></html>"})

    run = import_files(part)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert count_rows(alice, "timeseries.location_point") == 2
    with user_scope(alice.pk):
        statuses = dict(ImportMember.objects.filter(run=run).values_list("name", "status"))
    assert statuses == {f"{LH}/Records.json": "done", "Takeout/archive_browser.html": "skipped"}
