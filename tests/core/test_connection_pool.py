"""A pooled connection never carries one request's user into the next.

The web server runs with Django's psycopg pool (DB_POOL) held to ONE
connection per alias, and two request threads: Alice's, Bob's and
Charlie's (no data) requests interleave over that one connection. Every row
in every answer is the asker's, Charlie sees none, and PostgreSQL shows a
single app-role backend served them all. The scope is set with
set_config(..., true), so it ends with each transaction, before the pool
hands the connection on.
"""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import requests
from django.conf import settings
from django.db import connections
from django.test import Client

from core.maintenance import ensure_partitions_for
from core.testing import running_console
from sources.location.tables import LOCATION_POINT

LATITUDE = {"alice": 111111111, "bob": 222222222}
START = dt.datetime(2024, 5, 20, tzinfo=dt.UTC)


def fill(user, latitude: int) -> None:
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, "
            "platform, activity_type) SELECT %s, %s + make_interval(secs => g), %s, g, 'location.records', "
            "'', '', '' FROM generate_series(1, 300) g", [user.pk, START, latitude])


def session_for(user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def test_two_users_interleaved_on_one_pooled_connection_see_only_their_rows(committed, make_user, child_env):
    ensure_partitions_for(LOCATION_POINT, START, START + dt.timedelta(days=1))
    people = {name: make_user(name, "user") for name in (*LATITUDE, "charlie")}
    for name, latitude in LATITUDE.items():
        fill(people[name], latitude)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT now()")
        started = cursor.fetchone()[0]

    env = dict(child_env, DB_POOL="true", DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE="1", DB_POOL_TIMEOUT="60")
    with running_console(env, threads=2) as (url, _):
        sessions = {name: session_for(user) for name, user in people.items()}

        def map_points(name: str) -> tuple[str, set[int]]:
            response = sessions[name].get(f"{url}/lake/map/data", params={"bbox": "-180,-90,180,90", "zoom": 18},
                                          timeout=120)
            assert response.status_code == 200, response.text[:500]
            return name, {round(lat * 1e7) for lat, _lng, _at in response.json()["features"]}

        # alice, bob, charlie, alice, ...: consecutive requests are always someone else's.
        calls = [name for _ in range(15) for name in people]
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(map_points, calls))
        with connections["owner"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND backend_start > %s",
                           [settings.DB_APP_ROLE, started])
            app_backends = cursor.fetchone()[0]

    for name, latitudes in answers:
        assert latitudes == ({LATITUDE[name]} if name in LATITUDE else set()), (name, latitudes)
    # 45 requests of three people, one app-role connection: the pool's only one.
    assert app_backends == 1, app_backends


def test_a_returned_connection_sheds_a_session_user_and_session_locks(committed):
    """Defence in depth: even a session-level setting or a left-over advisory lock does not pass on."""
    import psycopg

    from core.pooling import reset_connection
    from core.testing import database_url_for_children

    with psycopg.connect(database_url_for_children(), autocommit=True) as connection, \
            psycopg.connect(database_url_for_children(), autocommit=True) as other:
        connection.execute("SELECT set_config('app.user_id', '42', false), pg_advisory_lock(4242)")
        assert not other.execute("SELECT pg_try_advisory_lock(4242)").fetchone()[0]
        reset_connection(connection)
        assert connection.execute("SELECT current_setting('app.user_id', true)").fetchone()[0] == ""
        assert other.execute("SELECT pg_try_advisory_lock(4242)").fetchone()[0]
