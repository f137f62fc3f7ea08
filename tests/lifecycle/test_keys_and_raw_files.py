"""The master key check and first-run creation; raw uploads deleted after their retention."""

import base64
import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from audit.models import Event
from core.rls import user_scope
from lifecycle.models import LifecycleRun
from lifecycle.raw import delete_expired_raw_files
from vault.checks import check_master_key
from vault.keyring import ensure_master_key, keyring


def test_a_missing_master_key_warns_and_the_first_run_creates_it(settings, tmp_path):
    settings.MASTER_KEY, settings.MASTER_KEY_FILE = "", tmp_path / "k" / "master.key"
    assert [e.id for e in check_master_key(None)] == ["archive.W001"]
    assert ensure_master_key() == settings.MASTER_KEY_FILE
    assert settings.MASTER_KEY_FILE.stat().st_mode & 0o777 == 0o600
    assert check_master_key(None) == []
    key = settings.MASTER_KEY_FILE.read_bytes()
    assert ensure_master_key() is None  # never replaced
    assert settings.MASTER_KEY_FILE.read_bytes() == key


def test_a_bad_master_key_is_an_error(settings):
    settings.MASTER_KEY = base64.b64encode(b"too short").decode()
    errors = check_master_key(None)
    assert [e.id for e in errors] == ["archive.E001"]
    assert "32 bytes" in errors[0].msg
    assert settings.MASTER_KEY not in errors[0].msg
    settings.MASTER_KEY = base64.b64encode(bytes(range(32))).decode()
    assert check_master_key(None) == []
    assert keyring().data_key_for_user(1)[0] == "user-1-v1"


@pytest.fixture
def raw_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.RAW_RETENTION_DAYS = 30
    (settings.DATA_DIR / "raw" / "ab").mkdir(parents=True)
    return settings.DATA_DIR / "raw" / "ab"


def make_import(user, path, status, finished_days_ago):
    from imports.models import ImportFile, ImportRun

    with user_scope(user.pk):
        run = ImportRun.objects.create(user=user, status=status,
                                       finished_at=timezone.now() - dt.timedelta(days=finished_days_ago))
        ImportFile.objects.create(user=user, run=run, part=1, original_name="takeout.zip", sha256=path.name,
                                  size=path.stat().st_size, path=str(path))


def test_raw_files_go_only_after_a_successful_import_past_the_retention(committed, make_user, raw_store):
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    old_ok, fresh_ok, old_failed, shared = (raw_store / name for name in ("ab01", "ab02", "ab03", "ab04"))
    for path in (old_ok, fresh_ok, old_failed, shared):
        path.write_bytes(b"zip bytes" * 100)
    make_import(alice, old_ok, "succeeded", 40)
    make_import(alice, fresh_ok, "succeeded", 3)
    make_import(alice, old_failed, "failed", 40)
    # The same bytes in two imports: bob's is still within the retention.
    make_import(alice, shared, "succeeded", 40)
    make_import(bob, shared, "succeeded", 2)

    run = delete_expired_raw_files()

    assert run.outcome == LifecycleRun.Outcome.OK
    assert not old_ok.exists()
    assert fresh_ok.exists() and old_failed.exists() and shared.exists()
    assert (run.details["deleted"], run.bytes) == (1, 900)
    event = Event.objects.get(action="lifecycle.raw_deleted")
    assert event.details["files"] == ["ab01"]
    assert settings.DATA_DIR.exists()
