"""Archive files are encrypted per user: unreadable without the key, unreadable at all after a shred."""

import datetime as dt
import io
import os

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lifecycle import export, lifecycle
from lifecycle.models import ArchivedPartition, ArchiveFile, Policy
from tests.lifecycle.conftest import LOCATION_FIELDS, add_location_history, attached_partitions, location_rows
from vault import crypto
from vault.keyring import keyring
from vault.keys import KeyMissing, KeyRing, KeyUnwrapError

pytestmark = pytest.mark.usefixtures("clean_archive_schema")


@pytest.fixture
def archived(make_user):
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    now = timezone.now()
    add_location_history(alice, now, months=14, per_month=3)
    add_location_history(bob, now, months=14, per_month=3, lat=400000000)
    Policy.objects.create(name="year", table="timeseries.location_point", archive_after_days=365)
    before = {alice.pk: location_rows(alice), bob.pk: location_rows(bob)}
    run = lifecycle.run_lifecycle(now=now)
    assert run.partitions_archived > 0, run.error
    return alice, bob, before


def test_an_archive_file_is_encrypted_parquet_that_decrypts_to_a_plain_copy(archived, tmp_path):
    alice, bob, before = archived
    archive_file = ArchiveFile.objects.filter(data_owner_id=alice.pk).first()
    assert archive_file.relative_path.endswith("/part-0.parquet")
    raw = archive_file.path.read_bytes()
    # Parquet Modular Encryption with an encrypted footer: "PARE" at both ends, nothing readable.
    assert raw[:4] == raw[-4:] == b"PARE" and b"PAR1" not in raw
    assert b"lat_e7" not in raw  # the schema is in the encrypted footer
    with pytest.raises(OSError):
        pq.read_table(io.BytesIO(raw))

    out = tmp_path / "plain.parquet"
    call_command("lifecycle", "decrypt", str(archive_file.path), str(out))
    assert out.read_bytes()[:4] == b"PAR1"
    table = pq.read_table(out)
    assert table.num_rows == archive_file.rows
    rows = [tuple(r[c] for c in LOCATION_FIELDS) for r in table.to_pylist()]
    record = archive_file.archived_partition
    assert rows == [r for r in before[alice.pk] if record.period_start <= r[1] < record.period_end]


def test_an_archive_in_the_earlier_envelope_format_stays_readable(archived, tmp_path):
    """Files written before Parquet Modular Encryption (part-0.parquet.enc) are read where they lie."""
    alice, bob, before = archived
    archive_file = ArchiveFile.objects.filter(data_owner_id=alice.pk).first()
    ring = keyring()
    plain = tmp_path / "plain.parquet"
    call_command("lifecycle", "decrypt", str(archive_file.path), str(plain))
    legacy = tmp_path / "user=1" / "part-0.parquet.enc"
    legacy.parent.mkdir()
    crypto.encrypt_file(plain, legacy, ring.data_key_for_user(alice.pk)[1], archive_file.key_id)
    assert legacy.read_bytes().startswith(crypto.MAGIC)

    assert export.check_file(legacy, ring.key_by_id).rows == archive_file.rows
    assert [r for batch in export.read_rows(legacy, ring.key_by_id) for r in batch] == \
        [r for batch in export.read_rows(archive_file.path, ring.key_by_id, archive_file.key_id) for r in batch]
    again = tmp_path / "again.parquet"
    call_command("lifecycle", "decrypt", str(legacy), str(again))
    assert pq.read_table(again).equals(pq.read_table(plain))


def test_an_archive_cannot_be_read_with_another_master_key(archived):
    alice, bob, before = archived
    archive_file = ArchiveFile.objects.filter(data_owner_id=alice.pk).first()
    stranger = KeyRing(os.urandom(32), keyring().keys_dir)
    with pytest.raises(KeyUnwrapError, match="master key is wrong"):
        export.check_file(archive_file.path, stranger.key_by_id, archive_file.key_id)
    # Nor with another user's data key.
    bobs_key = keyring().data_key_for_user(bob.pk)[1]
    with pytest.raises(crypto.IntegrityError):
        export.check_file(archive_file.path, lambda key_id: bobs_key, archive_file.key_id)


def test_after_the_users_key_is_shredded_the_archive_cannot_be_read_at_all(archived, tmp_path):
    alice, bob, before = archived
    # Past the quarantine: the detached tables are dropped, the files are the only copy.
    lifecycle.run_lifecycle(now=timezone.now() + dt.timedelta(days=8))
    record = ArchivedPartition.objects.order_by("period_start").first()
    assert record.state == ArchivedPartition.State.DROPPED
    alices = ArchiveFile.objects.get(archived_partition=record, data_owner_id=alice.pk)
    bobs = ArchiveFile.objects.get(archived_partition=record, data_owner_id=bob.pk)

    assert keyring().shred_user(alice.pk)

    with pytest.raises(KeyMissing, match="crypto-shredded"):
        export.check_file(alices.path, keyring().key_by_id, alices.key_id)
    with pytest.raises(CommandError, match="crypto-shredded"):
        call_command("lifecycle", "decrypt", str(alices.path), str(tmp_path / "out.parquet"))
    assert not (tmp_path / "out.parquet").exists()
    # Bob's file of the same month is untouched: one key per user.
    assert export.check_file(bobs.path, keyring().key_by_id, bobs.key_id).rows == bobs.rows
    # A restore that cannot verify every file refuses, and leaves the month archived.
    with pytest.raises(lifecycle.LifecycleError, match="crypto-shredded"):
        lifecycle.restore_archive(record.pk)
    assert record.partition_name not in attached_partitions()


def test_a_deleted_and_shredded_account_does_not_block_the_drop_or_the_others_restore(archived):
    from django.contrib.auth import get_user_model

    alice, bob, before = archived
    record = ArchivedPartition.objects.order_by("period_start").first()
    assert record.state == ArchivedPartition.State.DETACHED
    # Bob leaves: deleting the account runs delete-everything, which shreds his key (so there
    # is none left to shred); his rows in the detached month stay in quarantine until its drop.
    get_user_model().objects.using("owner").filter(pk=bob.pk).delete()
    assert not keyring().shred_user(bob.pk)

    lifecycle.run_lifecycle(now=timezone.now() + dt.timedelta(days=8))
    record.refresh_from_db()
    assert record.state == ArchivedPartition.State.DROPPED, record.error
    lifecycle.restore_archive(record.pk)

    restored = [r for r in location_rows(alice) if record.period_start <= r[1] < record.period_end]
    assert restored == [r for r in before[alice.pk] if record.period_start <= r[1] < record.period_end] != []
    bobs = ArchiveFile.objects.get(archived_partition=record, data_owner_id=bob.pk)
    with pytest.raises(KeyMissing):
        export.check_file(bobs.path, keyring().key_by_id, bobs.key_id)
