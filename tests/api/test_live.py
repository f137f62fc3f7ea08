"""Against the real server (gunicorn in a child process) and committed data: a stream's client
that goes away ends its server-side cursor; a script uploads with tus under its token, imports,
follows and deletes the run.
"""

import base64
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection, connections

from api import tokens
from core.rls import user_scope
from tests.imports.conftest import LH, make_zip, minute_points, records_json

POINTS = 200_000


@pytest.fixture
def alice(committed, make_user):
    return make_user("alice", "user")


@pytest.fixture
def bob(committed, make_user):
    return make_user("bob", "user")


@pytest.fixture(autouse=True)
def _empty_import_queue(django_db_setup):
    import django_rq

    django_rq.get_queue("imports").empty()
    yield
    django_rq.get_queue("imports").empty()


def _fill(user, count):
    from core.maintenance import ensure_partitions_for
    from sources.location.tables import LOCATION_POINT
    from tests.explore.test_isolation import WHEN

    ensure_partitions_for(LOCATION_POINT, WHEN, WHEN)
    with user_scope(user.pk), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, platform,"
            " activity_type) SELECT %s, %s + n * interval '1 ms', 480000000 + n %% 1000, 20000000 + n, "
            "'location.records', 'GPS', '', '' FROM generate_series(1, %s) n", [user.pk, WHEN, count])


def _stream_sessions() -> list[tuple]:
    """Sessions that are running or holding open one of the API's named cursors."""
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT pid, state, query FROM pg_stat_activity WHERE query LIKE '%%api_stream_%%' "
                       "AND state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid()")
        return cursor.fetchall()


def test_a_client_that_drops_after_ten_rows_ends_the_server_side_cursor(live_url, alice):
    _fill(alice, POINTS)
    _, token = tokens.create_token(alice, ["read:location"])
    address = urlsplit(live_url)
    client = socket.create_connection((address.hostname, address.port), timeout=30)
    client.sendall((f"GET /api/v1/location/points HTTP/1.1\r\nHost: {address.netloc}\r\n"
                    f"Authorization: Bearer {token}\r\nAccept: application/x-ndjson\r\n\r\n").encode())
    received = b""
    while received.count(b"\n{") < 10:
        received += client.recv(4096)
    assert b"200 OK" in received.split(b"\r\n", 1)[0]
    assert _stream_sessions(), "while the client is there the cursor is open"
    client.close()
    deadline = time.monotonic() + 20
    while _stream_sessions() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _stream_sessions() == [], "the query kept running for nobody"


def test_a_stream_delivers_the_whole_selection(live_url, alice, bob):
    _fill(alice, 20_000)
    _fill(bob, 10)
    _, token = tokens.create_token(alice, ["read:all"])
    with requests.get(f"{live_url}/api/v1/location/points", headers={
            "Authorization": f"Bearer {token}", "Accept": "application/x-ndjson"}, stream=True, timeout=60) as answer:
        lines = sum(1 for line in answer.iter_lines() if line)
    assert lines == 20_000


def test_a_script_uploads_with_its_token_imports_follows_and_deletes(live_url, alice, bob, run_worker, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip",
                       {f"{LH}/Records.json": records_json(minute_points(5, day="2021-03-04"))})
    data = archive.read_bytes()
    _, token = tokens.create_token(alice, ["write:imports", "read:location", "delete"])
    headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    name = base64.b64encode(b"takeout-001.zip").decode()
    created = requests.post(f"{live_url}/uploads/tus/", headers={
        **headers, "Upload-Length": str(len(data)), "Upload-Metadata": f"filename {name}"}, timeout=10)
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    patched = requests.patch(location, data=data, timeout=30, headers={
        **headers, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
    assert patched.status_code == 204, patched.text
    upload_id = location.rstrip("/").rsplit("/", 1)[-1]

    api = f"{live_url}/api/v1"
    auth = {"Authorization": f"Bearer {token}"}
    started = requests.post(f"{api}/imports", json={"uploads": [upload_id]}, headers=auth, timeout=10)
    assert started.status_code in (200, 201), started.text
    run_id = started.json()["id"]
    assert started.json()["status"] == "queued"
    assert run_worker("imports").returncode == 0
    followed = requests.get(f"{api}/imports/{run_id}", headers=auth, timeout=10).json()
    assert followed["status"] == "succeeded" and followed["stage"] == "finished"
    assert followed["accepted"] == 5
    assert [run["id"] for run in requests.get(f"{api}/imports", headers=auth, timeout=10).json()["items"]] == [run_id]

    _, bobs = tokens.create_token(bob, ["write:imports", "delete"])
    for method in ("get", "delete"):
        other = requests.request(method, f"{api}/imports/{run_id}", headers={"Authorization": f"Bearer {bobs}"},
                                 timeout=10)
        assert other.status_code == 404 and other.headers["Content-Type"] == "application/problem+json"
    assert requests.post(f"{api}/imports", json={"uploads": [upload_id]}, timeout=10,
                         headers={"Authorization": f"Bearer {bobs}"}).status_code == 404

    deleted = requests.delete(f"{api}/imports/{run_id}", headers=auth, timeout=30)
    assert deleted.status_code == 200, deleted.text
    report = deleted.json()
    assert report["deleted"]["location_point"] == 5 and report["verified"]
    assert report["remaining"]["location_point"] == 0
    assert requests.get(f"{api}/location/points", headers=auth, timeout=10).json()["items"] == []


def test_tus_refuses_a_token_without_write_imports(live_url, alice):
    _, token = tokens.create_token(alice, ["read:all"])
    answer = requests.post(f"{live_url}/uploads/tus/", headers={
        "Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0", "Upload-Length": "10"}, timeout=10)
    assert answer.status_code == 403 and answer.json()["scope"] == "write:imports"
