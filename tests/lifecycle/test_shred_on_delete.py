"""Deleting everything crypto-shreds the person's archives and raw uploads."""

import pytest

from audit.models import Event
from core.rls import user_scope
from explore import deletion
from uploads import storage
from vault import rawstore
from vault.crypto import IntegrityError
from vault.keyring import keyring
from vault.keys import KeyMissing
from vault.rawstore import open_raw

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def put_raw_upload(settings, user, body: bytes) -> str:
    """A complete upload as the uploads app leaves it: encrypted in the raw store."""
    upload_id = f"00000000-0000-0000-0000-{user.pk:012d}"
    temp = storage.create_temp_file(upload_id)
    temp.write_bytes(body)
    storage.place_in_raw_store(upload_id, user.pk, "ab" * 32)
    return rawstore.path(user.pk, "ab" * 32)


def test_delete_everything_destroys_the_key_and_the_raw_files(settings, alice, bob, tmp_path):
    settings.DATA_DIR, settings.TEMP_DIR = tmp_path / "data", tmp_path / "tmp"
    alices = put_raw_upload(settings, alice, b'{"locations": []}')
    bobs = put_raw_upload(settings, bob, b'{"locations": []}')
    with open_raw(alices) as handle:
        assert handle.read() == b'{"locations": []}'
    copy = tmp_path / "copy-of-alices-file"
    copy.write_bytes(alices.read_bytes())  # a backup somewhere, out of our reach

    with user_scope(alice.pk):
        result = deletion.delete_everything(alice)

    assert any("archive key was destroyed" in note for note in result.notes)
    assert not alices.exists()
    with pytest.raises((KeyMissing, IntegrityError)):
        open_raw(copy).read()
    with open_raw(bobs) as handle:  # Bob's key and file are untouched
        assert handle.read() == b'{"locations": []}'
    with pytest.raises(KeyMissing):
        keyring().key_by_id(f"user-{alice.pk}-v1")
    assert Event.objects.filter(action="lifecycle.user_shredded", target=f"user:{alice.pk}").exists()
