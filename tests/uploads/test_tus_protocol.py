"""tus 1.0 against the real server (gunicorn), with tuspy and plain HTTP requests."""

import base64
import hashlib
import http.client
import threading
import time
import urllib.parse

import requests
from django.conf import settings
from django.db import connections
from django.utils import timezone
from tusclient.client import TusClient

from audit.models import Event
from core.rls import user_scope
from imports.models import ImportRun
from tests.uploads.conftest import create, head, patch, plaintext, sha256_of, temp_files, upload_row
from uploads.models import Upload, UploadBatch


def test_an_interrupted_tuspy_upload_resumes_and_arrives_byte_identical(live_url, make_user, tus_headers,
                                                                        make_file):
    alice = make_user("alice", "user")
    source = make_file(size=3 * 2**20 + 12345)
    client = TusClient(f"{live_url}/uploads/tus/", headers=tus_headers(alice))

    first = client.uploader(str(source), chunk_size=256 * 1024, metadata={"filename": source.name},
                            upload_checksum=True)
    first.upload(stop_at=2**20)  # the connection "drops" after four chunks
    assert upload_row(alice, first.url).upload_offset == 2**20

    resumed = client.uploader(str(source), url=first.url, chunk_size=256 * 1024, upload_checksum=True)
    assert resumed.offset == 2**20  # learned from HEAD, not from the client's memory
    resumed.upload()

    upload = upload_row(alice, first.url)
    expected = sha256_of(source)
    assert (upload.state, upload.upload_offset, upload.sha256) == ("complete", source.stat().st_size, expected)
    stored = settings.DATA_DIR / "raw" / f"user={alice.pk}" / expected[:2] / expected
    # Encrypted at rest with Alice's data key: not the bytes she sent, until decrypted.
    assert stored.read_bytes() != source.read_bytes()
    assert plaintext(stored) == source.read_bytes()
    assert upload.raw_path == f"raw/user={alice.pk}/{expected[:2]}/{expected}"
    assert f"{upload.pk}.part" not in temp_files()
    with user_scope(alice.pk):
        batch = UploadBatch.objects.get(pk=upload.batch_id)
        run = ImportRun.objects.get(pk=batch.import_run_id)
        assert [(f.original_name, f.sha256, f.size) for f in run.files.all()] == [
            (source.name, expected, source.stat().st_size)]
    actions = set(Event.objects.filter(target=f"upload:{upload.pk}").values_list("action", flat=True))
    assert actions == {"upload.created", "upload.completed"}


def test_a_wrong_checksum_is_refused_with_460_and_the_offset_stays(live_url, make_user, tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    url = create(live_url, headers, 10)
    assert patch(url, headers, b"hello", 0).status_code == 204

    sha1_of_something_else = "sha1 " + "qvTGHdzF6KLavt4PO0gs2a6pQ00="
    refused = patch(url, headers, b"world", 5, **{"Upload-Checksum": sha1_of_something_else})

    assert refused.status_code == 460
    assert "checksum" in refused.text.lower()
    assert head(url, headers).headers["Upload-Offset"] == "5"
    assert (settings.TEMP_DIR / "uploads" / f"{upload_row(alice, url).pk}.part").stat().st_size == 5
    # The right checksum for the same bytes is accepted.
    right = "sha256 " + base64.b64encode(hashlib.sha256(b"world").digest()).decode()
    good = patch(url, headers, b"world", 5, **{"Upload-Checksum": right})
    assert good.status_code == 204, good.text
    assert good.headers["Upload-Offset"] == "10"


def test_bob_cannot_head_patch_or_delete_alices_upload(live_url, make_user, tus_headers):
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    as_alice, as_bob = tus_headers(alice), tus_headers(bob)
    url = create(live_url, as_alice, 10)
    assert patch(url, as_alice, b"abc", 0).status_code == 204

    assert head(url, as_bob).status_code == 404
    assert "Upload-Offset" not in head(url, as_bob).headers
    assert patch(url, as_bob, b"xyz", 3).status_code == 404
    assert requests.delete(url, headers=as_bob, timeout=10).status_code == 404

    assert head(url, as_alice).headers["Upload-Offset"] == "3"
    assert upload_row(alice, url).state == "receiving"


def test_a_patch_at_the_wrong_offset_gets_409_and_changes_nothing(live_url, make_user, tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    url = create(live_url, headers, 10)
    assert patch(url, headers, b"abcd", 0).status_code == 204

    conflict = patch(url, headers, b"efgh", 2)

    assert conflict.status_code == 409
    assert conflict.headers["Upload-Offset"] == "4"
    assert head(url, headers).headers["Upload-Offset"] == "4"


def test_the_protocol_is_checked_before_the_body(live_url, make_user, tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    url = create(live_url, headers, 10)

    wrong_type = requests.patch(url, data=b"abc", timeout=10, headers={
        **headers, "Content-Type": "application/octet-stream", "Upload-Offset": "0"})
    assert wrong_type.status_code == 415
    no_version = {k: v for k, v in headers.items() if k != "Tus-Resumable"}
    assert patch(url, no_version, b"abc", 0).status_code == 412
    options = requests.options(f"{live_url}/uploads/tus/", timeout=10)
    assert options.status_code == 204
    assert set(options.headers["Tus-Extension"].split(",")) == {"creation", "checksum", "termination", "expiration"}
    assert "sha256" in options.headers["Tus-Checksum-Algorithm"]
    assert head(url, headers).headers["Upload-Offset"] == "0"
    assert "Upload-Expires" in head(url, headers).headers
    assert head(url, headers).headers["Upload-Metadata"] == "filename dGFrZW91dC0wMDEuemlw"


def test_post_with_x_http_method_override_is_taken_as_patch(live_url, make_user, tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    url = create(live_url, headers, 3)

    response = requests.post(url, data=b"abc", timeout=10, headers={
        **headers, "X-HTTP-Method-Override": "PATCH", "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": "0"})

    assert response.status_code == 204, response.text
    assert upload_row(alice, url).state == "complete"


def test_signed_out_clients_cannot_create_uploads(live_url, make_user):
    response = requests.post(f"{live_url}/uploads/tus/", timeout=10,
                             headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"})
    assert response.status_code in (401, 403)  # 403: the CSRF check comes first for a POST
    assert temp_files() == []
    alice = make_user("alice", "user")
    with user_scope(alice.pk):
        batch = UploadBatch.objects.create(user=alice)
        upload = Upload.objects.create(user=alice, batch=batch, filename="a.zip", size=10,
                                       expires_at=timezone.now())
    anonymous = requests.head(f"{live_url}/uploads/tus/{upload.pk}", headers={"Tus-Resumable": "1.0.0"}, timeout=10)
    assert anonymous.status_code == 401
    assert "Upload-Offset" not in anonymous.headers


def test_the_same_file_uploaded_again_is_recognized_and_kept_once(live_url, make_user, tus_headers, make_file):
    alice = make_user("alice", "user")
    source = make_file(size=300_000)
    client = TusClient(f"{live_url}/uploads/tus/", headers=tus_headers(alice))
    first = client.uploader(str(source), chunk_size=100_000, metadata={"filename": "takeout-001.zip"})
    first.upload()
    again = client.uploader(str(source), chunk_size=100_000, metadata={"filename": "copy of takeout-001.zip"})
    again.upload()

    original, repeat = upload_row(alice, first.url), upload_row(alice, again.url)
    assert repeat.duplicate_of_id == original.pk
    assert head(again.url, tus_headers(alice)).headers["Datapunk-Duplicate-Of"] == str(original.pk)
    digest = sha256_of(source)
    folder = settings.DATA_DIR / "raw" / f"user={alice.pk}" / digest[:2]
    assert [p.name for p in folder.iterdir() if p.name.startswith(digest)] == [digest]
    assert temp_files() == []
    with user_scope(alice.pk):
        # The repeat points at the run that already imported these bytes: one import, not two.
        runs = {b.import_run_id for b in UploadBatch.objects.filter(pk__in=[original.batch_id, repeat.batch_id])}
        assert len(runs) == 1 and None not in runs
        assert ImportRun.objects.count() == 1
        ImportRun.objects.update(status=ImportRun.Status.FAILED)
    # After a failed run, the same bytes again are a retry: they get a run of their own.
    client.uploader(str(source), chunk_size=100_000, metadata={"filename": "retry.zip"}).upload()
    with user_scope(alice.pk):
        assert ImportRun.objects.count() == 2


def test_a_replayed_final_chunk_changes_nothing(live_url, make_user, tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    url = create(live_url, headers, 6)
    assert patch(url, headers, b"abc", 0).status_code == 204
    assert patch(url, headers, b"def", 3).status_code == 204

    replay = patch(url, headers, b"def", 3)

    assert replay.status_code == 409
    with user_scope(alice.pk):
        assert ImportRun.objects.count() == 1
    assert upload_row(alice, url).state == "complete"


def _slow_patch(url, headers, body: bytes, offset: int, results: dict, started: threading.Event,
                release: threading.Event):
    """A PATCH that sends half its body, waits, then the rest (a slow client)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest("PATCH", parts.path)
    for name, value in {**headers, "Content-Type": "application/offset+octet-stream",
                        "Upload-Offset": str(offset), "Content-Length": str(len(body))}.items():
        connection.putheader(name, value)
    connection.endheaders()
    half = len(body) // 2
    connection.send(body[:half])
    started.set()
    release.wait(20)
    connection.send(body[half:])
    response = connection.getresponse()
    results["slow"] = (response.status, response.getheader("Upload-Offset"))
    connection.close()


def _wait_for_an_advisory_lock(timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["owner"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                           "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the slow PATCH never took the upload's lock")


def test_two_patches_at_the_same_offset_one_is_refused_and_the_file_matches(live_url, make_user, tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    body = bytes(range(256)) * 4096  # 1 MiB
    url = create(live_url, headers, len(body))
    results, started, release = {}, threading.Event(), threading.Event()
    slow = threading.Thread(target=_slow_patch, args=(url, headers, body, 0, results, started, release))
    slow.start()
    assert started.wait(10)
    _wait_for_an_advisory_lock()  # the slow PATCH holds the upload now

    competing = patch(url, headers, body, 0)
    release.set()
    slow.join(30)

    assert competing.status_code == 423, competing.text  # the lock is held: "Locked", nothing written
    assert results["slow"] == (204, str(len(body)))
    upload = upload_row(alice, url)
    assert upload.state == Upload.State.COMPLETE
    assert upload.sha256 == hashlib.sha256(body).hexdigest()
    assert plaintext(settings.DATA_DIR / upload.raw_path) == body


def test_delete_cancels_an_upload_and_frees_its_bytes(live_url, make_user, tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    url = create(live_url, headers, 10)
    assert patch(url, headers, b"abc", 0).status_code == 204
    pk = upload_row(alice, url).pk

    assert requests.delete(url, headers=headers, timeout=10).status_code == 204

    assert head(url, headers).status_code == 404
    assert f"{pk}.part" not in temp_files()
    assert upload_row(alice, url).state == "cancelled"
    assert Event.objects.filter(action="upload.deleted", target=f"upload:{pk}").count() == 1


def test_a_dropped_connection_keeps_the_bytes_that_arrived_and_the_upload_resumes(live_url, make_user,
                                                                                   tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    body = bytes(range(251)) * 4000  # ~1 MB, a length that is no power of two
    url = create(live_url, headers, len(body))
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("PATCH", parts.path)
    for name, value in {**headers, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0",
                        "Content-Length": str(len(body))}.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(body[:300_000])
    connection.close()  # the network drops mid-body

    deadline = time.monotonic() + 10
    while upload_row(alice, url).upload_offset == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    offset = int(head(url, headers).headers["Upload-Offset"])
    assert 0 < offset <= 300_000
    assert (settings.TEMP_DIR / "uploads" / f"{upload_row(alice, url).pk}.part").stat().st_size == offset

    assert patch(url, headers, body[offset:], offset).status_code == 204
    upload = upload_row(alice, url)
    assert upload.state == "complete"
    assert plaintext(settings.DATA_DIR / upload.raw_path) == body


def test_with_redis_down_the_upload_completes_and_its_run_waits_queued(live_url_without_redis, make_user,
                                                                        tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    url = create(live_url_without_redis, headers, 6)

    last = patch(url, headers, b"abcdef", 0)

    assert last.status_code == 204, last.text  # the bytes are safe whatever Redis does
    upload = upload_row(alice, url)
    assert upload.state == "complete"
    with user_scope(alice.pk):
        run = ImportRun.objects.get(pk=UploadBatch.objects.get(pk=upload.batch_id).import_run_id)
        # The run is recorded in PostgreSQL; the importer's reconciler enqueues it when Redis is back.
        assert run.status == ImportRun.Status.QUEUED


def test_a_batch_becomes_one_run_with_its_parts_in_order_once_every_part_arrived(live_url, make_user, tus_headers,
                                                                                  make_file):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    part1 = make_file("takeout-20240101T000000Z-001.zip", size=70_000, seed=b"one")
    part2 = make_file("takeout-20240101T000000Z-002.zip", size=50_000, seed=b"two")
    cancelled = make_file("notes.txt", size=10, seed=b"three")
    announced = requests.post(f"{live_url}/uploads/batches/", timeout=10, headers=headers, json={"files": [
        {"name": p.name, "size": p.stat().st_size} for p in (part1, part2, cancelled)]})
    assert announced.status_code == 201, announced.text
    batch = str(announced.json()["batch"])
    client = TusClient(f"{live_url}/uploads/tus/", headers=headers)

    client.uploader(str(part2), chunk_size=20_000, metadata={"filename": part2.name, "batch": batch}).upload()
    client.uploader(str(part1), chunk_size=20_000, metadata={"filename": part1.name, "batch": batch}).upload()
    with user_scope(alice.pk):
        assert UploadBatch.objects.get(pk=batch).import_run_id is None  # notes.txt is still due
    third = client.uploader(str(cancelled), metadata={"filename": cancelled.name, "batch": batch})
    third.set_url(third.create_url())
    assert requests.delete(third.url, headers=headers, timeout=10).status_code == 204

    status = requests.get(f"{live_url}/uploads/batches/{batch}/", headers=headers, timeout=10).json()
    assert status["state"] == "importing" and status["run_url"].startswith("/imports/runs/")
    with user_scope(alice.pk):
        run = ImportRun.objects.get(pk=UploadBatch.objects.get(pk=batch).import_run_id)
        assert [(f.part, f.original_name) for f in run.files.order_by("part")] == [(1, part1.name), (2, part2.name)]
        assert ImportRun.objects.count() == 1
