"""Size limit and quota: refused at creation, before a single byte is accepted."""

import base64
import json

import pytest
from django.test import Client
from django.utils import timezone

from core.rls import user_scope
from tests.uploads.conftest import temp_files
from uploads.models import Upload, UploadBatch

pytestmark = pytest.mark.django_db(databases=["default", "owner"])
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def limits(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    settings.USER_QUOTA_BYTES = 5000
    return settings


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _create(client, size, name="dGFrZW91dC0wMDEuemlw"):
    return _tus_post(client, size, f"filename {name}")


def _tus_post(client, size, metadata):
    # No body at all: tus creation sends the bytes later, with PATCH.
    return client.generic("POST", "/uploads/tus/", b"", headers={**TUS, "Upload-Length": str(size),
                                                                   "Upload-Metadata": metadata})


def _uploads(user):
    with user_scope(user.pk):
        return list(Upload.objects.order_by("created_at"))


def test_a_file_over_the_size_limit_is_refused_before_any_byte(limits, alice):
    response = _create(_client(alice), 1001)

    assert response.status_code == 413
    assert "takeout-001.zip is 1001 bytes; the largest file this server accepts is 1000 bytes" in response.text
    assert response["Tus-Max-Size"] == "1000"
    assert _uploads(alice) == []
    assert temp_files() == []


def test_a_file_that_would_pass_the_quota_is_refused_counting_unfinished_uploads(limits, alice):
    client = _client(alice)
    for _ in range(4):
        assert _create(client, 1000).status_code == 201  # 4000 of 5000 promised

    assert _create(client, 1000).status_code == 201  # exactly fills the quota: allowed
    over = _create(client, 1)

    assert over.status_code == 413
    assert "Not enough room in your quota" in over.text and "0 bytes" in over.text
    assert len(_uploads(alice)) == 5
    assert len(temp_files()) == 5


def test_complete_files_count_once_and_cancelled_ones_not_at_all(limits, alice):
    with user_scope(alice.pk):
        batch = UploadBatch.objects.create(user=alice)
        common = {"user": alice, "batch": batch, "filename": "a.zip", "expires_at": timezone.now()}
        first = Upload.objects.create(size=3000, upload_offset=3000, state="complete", sha256="a" * 64, **common)
        Upload.objects.create(size=3000, upload_offset=3000, state="complete", sha256="a" * 64,
                              duplicate_of=first, **common)
        Upload.objects.create(size=1000, state="cancelled", **common)
    client = _client(alice)

    assert _create(client, 1000).status_code == 201  # 3000 + 1000 of 5000
    assert _create(client, 1001).status_code == 413


def test_bobs_uploads_do_not_use_alices_quota(limits, alice, bob):
    for _ in range(5):
        assert _create(_client(bob), 1000).status_code == 201

    assert _create(_client(alice), 1000).status_code == 201


def test_a_batch_is_checked_as_a_whole_when_the_page_announces_it(limits, alice):
    response = _client(alice).post("/uploads/batches/", content_type="application/json", data=json.dumps(
        {"files": [{"name": "takeout-001.zip", "size": 1000}, {"name": "takeout-002.zip", "size": 1000},
                   {"name": "takeout-003.zip", "size": 1000}, {"name": "takeout-004.zip", "size": 1000},
                   {"name": "takeout-005.zip", "size": 1000}, {"name": "takeout-006.zip", "size": 1}]}))

    assert response.status_code == 413
    assert response.json()["error"].startswith("Not enough room in your quota")
    with user_scope(alice.pk):
        assert UploadBatch.objects.count() == 0


def test_a_batch_names_the_file_that_is_too_large(limits, alice):
    response = _client(alice).post("/uploads/batches/", content_type="application/json", data=json.dumps(
        {"files": [{"name": "Timeline.json", "size": 10}, {"name": "takeout-001.zip", "size": 5000}]}))

    assert response.status_code == 413
    assert response.json()["error"].startswith("takeout-001.zip is 4.9 KB; the largest file")


def test_an_upload_joins_its_batch_and_a_batch_takes_no_more_files_than_announced(limits, alice):
    client = _client(alice)
    batch = client.post("/uploads/batches/", content_type="application/json", data=json.dumps(
        {"files": [{"name": "takeout-001.zip", "size": 10}]})).json()["batch"]
    metadata = f"filename dGFrZW91dC0wMDEuemlw,batch {base64.b64encode(str(batch).encode()).decode()}"

    first = _tus_post(client, 10, metadata)
    second = _tus_post(client, 20, metadata)

    assert first.status_code == 201
    assert first["Datapunk-Batch"] == str(batch)
    assert second.status_code == 409
    assert "already has all 1 of its files" in second.text


def test_an_account_without_the_user_persona_cannot_upload(make_user):
    nobody = make_user("nobody")
    response = _create(_client(nobody), 10)

    assert response.status_code == 403
    assert _client(nobody).get("/uploads/").status_code == 403


def test_the_upload_page_costs_the_same_queries_for_one_batch_or_five(alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(alice)
    counts = []
    for batches in (1, 5):
        with user_scope(alice.pk):
            for _ in range(batches - UploadBatch.objects.count()):
                batch = UploadBatch.objects.create(user=alice)
                Upload.objects.create(user=alice, batch=batch, filename="a.zip", size=1, expires_at=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/uploads/")
        assert page.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert page.content.decode().count("a.zip") == 5


def test_bob_cannot_see_or_discard_alices_batch(alice, bob):
    created = _client(alice).post("/uploads/batches/", content_type="application/json",
                                  data=json.dumps({"files": [{"name": "takeout-001.zip", "size": 10}]}))
    batch = created.json()["batch"]

    assert _client(bob).get(f"/uploads/batches/{batch}/").status_code == 404
    assert _client(bob).post(f"/uploads/batches/{batch}/discard").status_code == 404
    mine = _client(alice).get(f"/uploads/batches/{batch}/")
    assert mine.status_code == 200 and mine.json()["state"] == "open"
