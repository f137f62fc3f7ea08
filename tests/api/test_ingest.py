"""Live locations from OwnTracks and Overland: recorded payloads of each app's documented format.

OwnTracks (owntracks.org/booklet/tech/json, HTTP mode) posts one message per
request, or its queue as an array; Overland (github.com/aaronpk/Overland-iOS,
"API") posts {"locations": [GeoJSON Feature...], "current": ..., "trip": ...}.
"""

import datetime as dt

import pytest
from django.db import connection

from api import livefeeds
from core.rls import user_scope

pytestmark = pytest.mark.django_db(databases=["default", "owner"])

# Early this month: its partition is premade (making one would wait on the test's open transaction).
BASE = dt.datetime.now(dt.UTC).replace(day=1, hour=0, minute=5, second=0, microsecond=0)
TST = int(BASE.timestamp())
PACIFIC = dt.timezone(dt.timedelta(hours=-8))


def _pacific(seconds=0):
    return (BASE + dt.timedelta(seconds=seconds)).astimezone(PACIFIC).strftime("%Y-%m-%dT%H:%M:%S%z")


# As the Android app sends it in HTTP mode (booklet's example, our coordinates).
OWNTRACKS_LOCATION = {
    "_type": "location", "acc": 12, "alt": 38, "batt": 81, "bs": 1, "conn": "w", "created_at": TST + 10,
    "lat": 48.856614, "lon": 2.3522219, "m": 1, "t": "u", "tid": "ph", "tst": TST, "vac": 4, "vel": 18,
    "cog": 270, "topic": "owntracks/alice/phone",
}
OWNTRACKS_QUEUE = [
    OWNTRACKS_LOCATION,
    {**OWNTRACKS_LOCATION, "tst": TST + 60, "lat": 48.8570, "lon": 2.3530},
    {"_type": "transition", "event": "leave", "desc": "Home", "tst": TST + 70, "wtst": 1700000000,
     "lat": 48.85, "lon": 2.35, "acc": 10, "t": "c", "tid": "ph"},
    {"_type": "lwt", "tst": TST - 400},
]
# Overland's documented request body (two points and the "current" it adds in trip mode).
OVERLAND_BATCH = {
    "locations": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-122.030581, 37.331800]},
         "properties": {"timestamp": _pacific(), "altitude": 80, "speed": 4, "horizontal_accuracy": 30,
                        "vertical_accuracy": -1, "motion": ["driving", "stationary"], "pauses": False,
                        "activity": "other_navigation", "desired_accuracy": 100, "deferred": 1000,
                        "significant_change": "disabled", "locations_in_payload": 2, "battery_state": "charging",
                        "battery_level": 0.89, "device_id": "alice-iphone", "wifi": ""}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-122.030237, 37.331800]},
         "properties": {"timestamp": _pacific(10), "altitude": 81, "speed": -1,
                        "horizontal_accuracy": 30, "vertical_accuracy": -1, "motion": ["walking"],
                        "device_id": "alice-iphone"}},
    ],
    "current": {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-122.030237, 37.331800]},
                "properties": {"timestamp": _pacific(10)}},
}


def _post(client, path, body, token):
    return client.post(f"/api/v1/ingest/{path}", body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def _points(user, product):
    with user_scope(user.pk), connection.cursor() as cursor:
        cursor.execute("SELECT recorded_at, lat_e7, lng_e7, utc_offset_minutes, velocity_mps, activity_type, "
                       "device_tag FROM timeseries.location_point WHERE product = %s ORDER BY recorded_at", [product])
        return cursor.fetchall()


def test_owntracks_queue_lands_once_even_when_posted_twice(client, alice, bob, token_for):
    token = token_for(alice, "write:ingest")
    first = _post(client, "owntracks", OWNTRACKS_QUEUE, token)
    assert first.status_code == 200 and first.json() == []  # OwnTracks expects an array back
    import json

    counts = json.loads(first["Datapunk-Ingest"])
    assert counts == {"received": 4, "accepted": 2, "duplicates": 0, "skipped": 2, "rejected": {}}
    again = json.loads(_post(client, "owntracks", OWNTRACKS_QUEUE, token)["Datapunk-Ingest"])
    assert again["accepted"] == 0 and again["duplicates"] == 2
    single = json.loads(_post(client, "owntracks", OWNTRACKS_LOCATION, token)["Datapunk-Ingest"])
    assert single["duplicates"] == 1
    rows = _points(alice, "owntracks")
    assert len(rows) == 2
    assert rows[0][1:3] == (488566140, 23522219)
    assert rows[0][4] == pytest.approx(5.0)  # 18 km/h
    assert rows[0][6] == livefeeds.device_tag("owntracks", "owntracks/alice/phone")
    assert _points(bob, "owntracks") == []
    with user_scope(alice.pk), connection.cursor() as cursor:
        cursor.execute("SELECT name, platform FROM user_data.device WHERE device_tag = %s", [rows[0][6]])
        assert cursor.fetchone() == ("owntracks/alice/phone", "owntracks")


def test_overland_batch_lands_once_with_its_offset_and_motion(client, alice, token_for):
    token = token_for(alice, "write:ingest")
    first = _post(client, "overland", OVERLAND_BATCH, token)
    assert first.status_code == 200
    assert first.json() == {"result": "ok", "received": 2, "accepted": 2, "duplicates": 0, "skipped": 0,
                            "rejected": {}}
    assert _post(client, "overland", OVERLAND_BATCH, token).json()["duplicates"] == 2
    rows = _points(alice, "overland")
    assert len(rows) == 2
    assert rows[0][3] == -480 and rows[0][5] == "IN_VEHICLE" and rows[1][5] == "WALKING"
    assert rows[1][4] is None  # speed -1: unknown
    listed = client.get("/api/v1/location/points", {"product": "overland"},
                        HTTP_AUTHORIZATION=f"Bearer {token_for(alice)}")
    assert len(listed.json()["items"]) == 2


def test_bad_points_are_counted_by_reason_and_the_rest_stored(client, alice, token_for):
    token = token_for(alice, "write:ingest")
    batch = {"locations": [
        OVERLAND_BATCH["locations"][0],
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [200, 37]}, "properties": {
            "timestamp": BASE.isoformat()}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2, 48]}, "properties": {
            "timestamp": "yesterday"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2, 48]}, "properties": {
            "timestamp": "2125-01-01T00:00:00Z"}},
        "not a feature",
    ]}
    answer = _post(client, "overland", batch, token).json()
    assert answer["accepted"] == 1
    assert answer["rejected"] == {"coordinates out of range": 1, "missing or unreadable timestamp": 1,
                                  "time before 2000 or in the future": 1,
                                  "not a GeoJSON Point feature with properties": 1}


@pytest.mark.parametrize(("path", "body", "status"), [
    ("overland", b"{not json", 400), ("overland", b'{"locations": 3}', 400), ("owntracks", b'[1, 2]', 400),
    ("owntracks", b'"text"', 400)])
def test_a_wrong_body_is_a_400_and_writes_nothing(client, alice, token_for, path, body, status):
    answer = _post(client, path, body, token_for(alice, "write:ingest"))
    assert answer.status_code == status and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["field"] == "body"
    assert _points(alice, path) == []


def test_a_body_past_the_limit_is_413(client, alice, token_for, settings):
    settings.API_MAX_BODY_BYTES = 100
    answer = _post(client, "overland", OVERLAND_BATCH, token_for(alice, "write:ingest"))
    assert answer.status_code == 413 and answer["Content-Type"] == "application/problem+json"
