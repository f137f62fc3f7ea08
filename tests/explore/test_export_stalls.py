"""Stalled export downloads cannot exhaust the web server or hold the database back.

A client that requests an export and stops reading used to keep a gunicorn
thread and an `idle in transaction` app-role session (a snapshot that
blocks VACUUM, locks that block DETACH) for as long as it liked. Now each
person has at most EXPORT_MAX_PER_USER downloads at once, a download that
cannot send for EXPORT_STALL_SECONDS ends with its transaction, and the app
role's sessions carry idle_in_transaction_session_timeout as a backstop.
"""

import socket
import time

import requests
from django.conf import settings
from django.db import connections
from django.test import Client

from audit.models import Event
from core.bootstrap import admin_connect
from core.maintenance import ensure_partitions_for
from core.testing import running_console
from sources.location.tables import LOCATION_POINT
from tests.explore.conftest import DAY, NEXT_DAY, _utc

STALL_SECONDS = 3
POINTS = 60_000  # about 10 MB of NDJSON: more than the socket buffers hold


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _many_points(user):
    ensure_partitions_for(LOCATION_POINT, _utc(DAY, 0), _utc(NEXT_DAY, 23))
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, utc_offset_minutes, lat_e7, lng_e7,"
            " accuracy_m, source, device_tag, product, import_run_id, platform, activity_type)"
            " SELECT %s, %s::timestamptz + g * interval '1 second', 120, 488566000 + g, 23522000 + g, 12.0,"
            " 'GPS', 7, 'location.records', 1, 'ANDROID', 'WALKING' FROM generate_series(1, %s) g",
            [user.pk, _utc(DAY, 0), POINTS])


def _stalled_download(url, cookie) -> socket.socket:
    """Ask for an export and never read a byte of it, with a tiny receive window."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.sendall(f"GET /lake/export/download?format=ndjson HTTP/1.1\r\nHost: {host}\r\n"
                 f"Cookie: {cookie}\r\n\r\n".encode())
    return sock


def _idle_export_sessions() -> int:
    with admin_connect(dbname=settings.DATABASES["default"]["NAME"]) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND state LIKE 'idle in transaction%%'",
            [settings.DB_APP_ROLE]).fetchone()[0]


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_stalled_exports_are_capped_per_person_and_end_with_their_transaction(committed, make_user, child_env):
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    _many_points(alice)
    env = dict(child_env, EXPORT_STALL_SECONDS=str(STALL_SECONDS), EXPORT_MAX_PER_USER="2",
               WHITENOISE_USE_FINDERS="true")
    with running_console(env, threads=4) as (url, _):
        alice_cookie = _cookie(alice)
        stalled = [_stalled_download(url, alice_cookie) for _ in range(2)]
        try:
            assert _wait(lambda: _idle_export_sessions() == 2, 10)  # both streams hold their transaction
            # A third download of hers is refused at once, with a sentence, not queued behind the others.
            third = requests.get(f"{url}/lake/export/download", params={"format": "csv"},
                                 headers={"Cookie": alice_cookie}, timeout=10)
            assert third.status_code == 429
            assert "already downloading 2 exports" in third.text
            assert int(third.headers["Retry-After"]) > 0
            # Bob is not held up by Alice's stalled downloads: signing in and exporting work.
            started = time.monotonic()
            assert requests.get(f"{url}/accounts/login/", timeout=5).status_code == 200
            bobs = requests.get(f"{url}/lake/export/download", params={"format": "ndjson"},
                                headers={"Cookie": _cookie(bob)}, timeout=10)
            assert bobs.status_code == 200 and time.monotonic() - started < 5
            # Past the stall limit the streams end, and their transactions with them.
            assert _wait(lambda: _idle_export_sessions() == 0, STALL_SECONDS * 4)
        finally:
            for sock in stalled:
                sock.close()
        events = Event.objects.using("owner").filter(action="export.downloaded", actor_id=alice.pk)
        assert _wait(lambda: events.filter(details__complete=False).count() == 2, 10)
        # Her slots are free again: a download that reads along gets everything.
        again = requests.get(f"{url}/lake/export/download", params={"format": "ndjson"},
                             headers={"Cookie": alice_cookie}, timeout=60)
        assert again.status_code == 200 and again.text.count("\n") == POINTS


def test_the_app_roles_sessions_give_up_an_idle_transaction(committed):
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] == f"{settings.DB_APP_IDLE_IN_TRANSACTION_SECONDS // 60}min"
    with admin_connect(dbname=settings.DATABASES["default"]["NAME"]) as conn:
        # On the role itself: any client that signs in as the app role gets it, not only ours.
        row = conn.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
            " WHERE r.rolname = %s AND s.setdatabase = 0", [settings.DB_APP_ROLE]).fetchone()
    assert row and f"idle_in_transaction_session_timeout={settings.DB_APP_IDLE_IN_TRANSACTION_SECONDS}s" in row[0]
