"""Disk full during an upload (SAFETY.md fault 6): 5xx, offset unchanged, resumes once there is space.

The "full disk" is a real one as far as the process can tell: RLIMIT_FSIZE
makes the kernel refuse writes past a size with EFBIG, exactly where ENOSPC
would strike. The request runs in this process (Django's test client) so the
limit applies to the server side of it.
"""

import hashlib
import resource
import signal

import pytest
from django.test import Client

from core.rls import user_scope
from tests.uploads.conftest import plaintext
from uploads import storage
from uploads.models import Upload

pytestmark = pytest.mark.django_db(databases=["default", "owner"])
TUS = {"Tus-Resumable": "1.0.0"}


def _patch(client, upload, body, offset):
    return client.generic("PATCH", f"/uploads/tus/{upload.pk}", body, content_type="application/offset+octet-stream",
                          headers={**TUS, "Upload-Offset": str(offset)})


def test_a_full_disk_refuses_the_chunk_keeps_the_offset_and_the_upload_resumes(alice, settings, tmp_path):
    settings.TEMP_DIR = tmp_path / "tmp"
    settings.DATA_DIR = tmp_path / "data"
    client = Client()
    client.force_login(alice)
    created = client.generic("POST", "/uploads/tus/", b"", headers={**TUS, "Upload-Length": str(3 * 2**20)})
    assert created.status_code == 201
    with user_scope(alice.pk):
        upload = Upload.objects.get()
    body = bytes(range(256)) * (3 * 2**20 // 256)
    assert _patch(client, upload, body[: 2**20], 0).status_code == 204

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(1.5 * 2**20), hard))
    try:
        full = _patch(client, upload, body[2**20:], 2**20)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)

    assert full.status_code == 507
    assert "kept up to byte 1048576" in full.content.decode()
    assert storage.temp_path(upload.pk).stat().st_size == 2**20
    head = client.head(f"/uploads/tus/{upload.pk}", headers=TUS)
    assert head["Upload-Offset"] == str(2**20)

    resumed = _patch(client, upload, body[2**20:], 2**20)

    assert resumed.status_code == 204, resumed.content
    with user_scope(alice.pk):
        upload.refresh_from_db()
    assert upload.state == "complete"
    # The running hash was dropped with the failed chunk: completion hashed the file from disk.
    assert upload.sha256 == hashlib.sha256(body).hexdigest()
    assert plaintext(settings.DATA_DIR / upload.raw_path) == body
