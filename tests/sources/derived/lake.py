"""Putting truth fixtures into a user's lake: as Records.json exports through the real pipeline,
or as rows written by the owner (for the time-zone cases that need a stated offset)."""

import json

from django.db import connections

from sources.derived.models import Stay, Trip


def records_json(fixes) -> bytes:
    locations = []
    for fix in fixes:
        location = {"timestamp": fix.at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "latitudeE7": round(fix.lat * 1e7),
                    "longitudeE7": round(fix.lng * 1e7), "accuracy": round(fix.accuracy_m or 20),
                    "source": "GPS", "deviceTag": 77}
        if fix.activity_type:
            location["activity"] = [{"timestamp": location["timestamp"],
                                     "activity": [{"type": fix.activity_type, "confidence": 90}]}]
        locations.append(location)
    return json.dumps({"locations": locations}).encode()


def insert_points(user_id: int, fixes) -> None:
    with connections["owner"].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, utc_offset_minutes, lat_e7, lng_e7,"
            " accuracy_m, source, platform, activity_type, product) VALUES (%s, %s, %s, %s, %s, %s, 'GPS', '', %s,"
            " 'location.records')",
            [(user_id, f.at, f.utc_offset_minutes, round(f.lat * 1e7), round(f.lng * 1e7), f.accuracy_m,
              f.activity_type) for f in fixes])


def derived_rows() -> tuple[list, list]:
    """The scope user's stays and trips, every stored column but the place (ids differ between runs)."""
    stays = list(Stay.objects.order_by("started_at").values_list(
        "started_at", "ended_at", "lat_e7", "lng_e7", "fixes", "radius_m", "utc_offset_minutes",
        "end_utc_offset_minutes", "offset_from",
        "tz_name", "local_start_day", "local_end_day", "city", "country_code"))
    trips = list(Trip.objects.order_by("started_at").values_list(
        "started_at", "ended_at", "distance_m", "seconds", "mode", "mode_from", "fixes", "path",
        "utc_offset_minutes", "tz_name", "local_start_day", "local_end_day"))
    return stays, trips
