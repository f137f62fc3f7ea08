"""The upload page's "Recent uploads" tells how each import went; an empty file is refused at once."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from core.rls import user_scope
from imports.models import ImportRun
from uploads.models import Upload, UploadBatch

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_empty_file_is_refused_when_the_page_announces_it(alice):
    response = _client(alice).post("/uploads/batches/", content_type="application/json", data=json.dumps(
        {"files": [{"name": "takeout-001.zip", "size": 5000}, {"name": "takeout-002.zip", "size": 0}]}))

    assert response.status_code == 400
    assert response.json()["error"] == ("takeout-002.zip is empty (0 bytes): there is nothing to import. "
                                        "Download that part from Google Takeout again.")
    with user_scope(alice.pk):
        assert not UploadBatch.objects.exists()


def test_an_empty_file_is_refused_at_tus_creation_before_it_exists(alice):
    response = _client(alice).generic("POST", "/uploads/tus/", b"", headers={
        "Tus-Resumable": "1.0.0", "Upload-Length": "0", "Upload-Metadata": "filename dGFrZW91dC0wMDEuemlw"})

    assert response.status_code == 400
    assert "takeout-001.zip is empty (0 bytes)" in response.content.decode()
    with user_scope(alice.pk):
        assert not Upload.objects.exists() and not UploadBatch.objects.exists()


def test_recent_uploads_show_each_imports_outcome_not_a_green_imported(alice):
    outcomes = {"failed.zip": ImportRun.Status.FAILED, "partial.zip": ImportRun.Status.PARTIAL,
                "fine.zip": ImportRun.Status.SUCCEEDED}
    with user_scope(alice.pk):
        for name, status in outcomes.items():
            run = ImportRun.objects.create(user=alice, status=status)
            batch = UploadBatch.objects.create(user=alice, state=UploadBatch.State.IMPORTING, import_run_id=run.pk)
            Upload.objects.create(user=alice, batch=batch, filename=name, size=10, state=Upload.State.COMPLETE,
                                  expires_at=timezone.now())

    page = _client(alice).get("/uploads/").content.decode()

    assert '<span class="state fail">Failed</span>' in page
    assert '<span class="state warn">Partial</span>' in page
    assert '<span class="state ok">Succeeded</span>' in page
    assert "Imported</span>" not in page
