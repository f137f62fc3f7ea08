"""Alice and Bob with lake data, Charlie with none: committed, so the live
server, RQ workers and the owner's analytics refresh all see it.

Alice lives in Paris (UTC+2 in May), Bob in Berlin. Both have two import
runs; every number the tests check follows from the tables below.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connections

from core.maintenance import ensure_partitions_for
from sources.location.tables import ACTIVITY_SEGMENT, LOCATION_POINT, PLACE_VISIT

DAY = dt.date(2024, 5, 14)
NEXT_DAY = dt.date(2024, 5, 15)
PARIS = (488566000, 23522000)
BERLIN = (525200000, 134050000)
POINTS_PER_DAY = 30


def _utc(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def insert_lake(user_id, centre, *, run_day1, run_day2, visit_names, offset=120, device_tag=7):
    """Points along a line through `centre` on DAY and NEXT_DAY, one visit and one walk per day."""
    lat0, lng0 = centre
    points, visits, segments = [], [], []
    for day, run in ((DAY, run_day1), (NEXT_DAY, run_day2)):
        for i in range(POINTS_PER_DAY):
            # 08:00 local .. about 15:15 local; 06:00 UTC onwards for UTC+2.
            when = _utc(day, 6) + dt.timedelta(minutes=15 * i)
            points.append((user_id, when, offset, lat0 + i * 1000, lng0 + i * 1500, 12.0, "GPS", device_tag,
                           "location.records", run))
    for (day, run), (name, address) in zip(((DAY, run_day1), (NEXT_DAY, run_day2)), visit_names, strict=True):
        visits.append((user_id, _utc(day, 7), _utc(day, 9), offset, lat0, lng0, f"place-{name}", name, address,
                       "TYPE_CAFE", "location.semantic", run))
        segments.append((user_id, _utc(day, 9), _utc(day, 9, 30), offset, lat0, lng0, lat0 + 20000, lng0 + 30000,
                         1850.0, "WALKING", f"[[{lat0}, {lng0}], [{lat0 + 20000}, {lng0 + 30000}]]",
                         "location.semantic", run))
    with connections["owner"].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, utc_offset_minutes, lat_e7, lng_e7, "
            "accuracy_m, source, device_tag, product, import_run_id, platform, activity_type) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '')",
            points,
        )
        cursor.executemany(
            "INSERT INTO timeseries.place_visit (user_id, started_at, ended_at, utc_offset_minutes, lat_e7, lng_e7, "
            "place_id, name, address, semantic_type, product, import_run_id, is_child) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, false)",
            visits,
        )
        cursor.executemany(
            "INSERT INTO timeseries.activity_segment (user_id, started_at, ended_at, utc_offset_minutes, "
            "start_lat_e7, start_lng_e7, end_lat_e7, end_lng_e7, distance_m, activity_type, waypoints, product, "
            "import_run_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)",
            segments,
        )
        cursor.execute(
            "INSERT INTO user_data.device (user_id, device_tag, name, platform) VALUES (%s, %s, %s, 'ANDROID')",
            [user_id, device_tag, f"Phone {user_id}"],
        )
    return {"points": len(points), "visits": len(visits), "segments": len(segments)}


@pytest.fixture
def lake_people(committed, make_user):
    """alice, bob (with data) and charlie (without), analytics refreshed."""
    from sources.location import analytics

    for table in (LOCATION_POINT, PLACE_VISIT, ACTIVITY_SEGMENT):
        ensure_partitions_for(table, _utc(DAY, 0), _utc(NEXT_DAY, 23))
    alice, bob, charlie = make_user("alice", "user"), make_user("bob", "user"), make_user("charlie", "user")
    alice_rows = insert_lake(alice.pk, PARIS, run_day1=101, run_day2=102, visit_names=[
        ("Café de Flore", "172 Boulevard Saint-Germain, 75006 Paris"),
        ("Shakespeare and Company", "37 Rue de la Bûcherie, 75005 Paris")])
    bob_rows = insert_lake(bob.pk, BERLIN, run_day1=201, run_day2=202, visit_names=[
        ("Brandenburger Tor Kiosk", "Pariser Platz, 10117 Berlin"),
        ("Curry 36", "Mehringdamm 36, 10961 Berlin")], device_tag=9)
    analytics.refresh()
    return SimpleNamespace(alice=alice, bob=bob, charlie=charlie, alice_rows=alice_rows, bob_rows=bob_rows)


@pytest.fixture
def browser_for():
    """A Django test client signed in as the given person."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
