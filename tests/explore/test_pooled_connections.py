"""Persistent connections serve Alice, Bob and Charlie in turn, under concurrency, and leak no row across.

The console keeps its database connections (CONN_MAX_AGE) and sets the user
per transaction (set_config(..., true)), so a connection that just streamed
Alice's export serves Bob's next. Two gunicorn threads, so two connections,
carry 72 concurrent requests of three people (one without data): streamed NDJSON exports long
enough to be fetched through the server-side cursor in several batches, and
map data. Every row in every answer is the asker's.
"""

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import requests
from django.conf import settings
from django.db import connections
from django.test import Client

from core.maintenance import ensure_partitions_for
from core.testing import running_console
from sources.location.tables import LOCATION_POINT

POINTS = 12_000  # more than one server-side cursor batch (5,000) and many 64 KB chunks
LATITUDE = {"alice": 111111111, "bob": 222222222}


def fill(user, latitude: int) -> None:
    start = dt.datetime(2024, 5, 20, tzinfo=dt.UTC)
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, "
            "platform, activity_type) SELECT %s, %s + make_interval(secs => g), %s, g, 'location.records', "
            "'', '', '' FROM generate_series(1, %s) g", [user.pk, start, latitude, POINTS])


def session_for(user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def app_backends_since(started) -> int:
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND backend_start > %s",
                       [settings.DB_APP_ROLE, started])
        return cursor.fetchone()[0]


def test_two_users_interleaved_on_two_pooled_connections_see_only_their_rows(committed, make_user, child_env):
    # The month the other lake tests use: no partition of its own left behind.
    ensure_partitions_for(LOCATION_POINT, dt.datetime(2024, 5, 20, tzinfo=dt.UTC),
                          dt.datetime(2024, 5, 21, tzinfo=dt.UTC))
    # Charlie has no data: on a connection that just served the others, he must still get none.
    people = {name: make_user(name, "user") for name in (*LATITUDE, "charlie")}
    for name, latitude in LATITUDE.items():
        fill(people[name], latitude)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT now()")
        started = cursor.fetchone()[0]

    # Persistent connections, not the pool (tests/core/test_connection_pool.py has that).
    with running_console(dict(child_env, CONN_MAX_AGE="600", DB_POOL="false"), threads=2) as (url, _):
        sessions = {name: session_for(user) for name, user in people.items()}

        def export(name: str) -> tuple[str, set[int], int]:
            response = sessions[name].get(f"{url}/lake/export/download", params={"format": "ndjson"}, timeout=120)
            assert response.status_code == 200, response.text[:500]
            rows = [json.loads(line) for line in response.text.splitlines()]
            return name, {row["lat_e7"] for row in rows}, len(rows)

        def map_data(name: str) -> tuple[str, set[int], int]:
            response = sessions[name].get(f"{url}/lake/map/data", params={"bbox": "-180,-90,180,90", "zoom": 18},
                                          timeout=120)
            assert response.status_code == 200, response.text[:500]
            features = response.json()["features"]  # [[lat, lng, iso time], ...] at this zoom
            return name, {round(lat * 1e7) for lat, _lng, _at in features}, len(features)

        calls = [(kind, name) for _ in range(12) for kind in (export, map_data) for name in people]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda call: call[0](call[1]), calls))
        backends = app_backends_since(started)

    for (kind, _), (name, latitudes, count) in zip(calls, answers, strict=True):
        if name == "charlie":
            assert (latitudes, count) == (set(), 0), (kind.__name__, latitudes)
            continue
        assert latitudes == {LATITUDE[name]}, (kind.__name__, name, latitudes)
        if kind is export:
            assert count == POINTS
        else:
            assert count > 0
    # 72 requests of three people went through the two threads' kept connections.
    assert 1 <= backends <= 2, backends
