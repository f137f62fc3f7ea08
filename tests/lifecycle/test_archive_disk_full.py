"""ARCHIVE_DIR full during export (SAFETY.md fault 7), with the kernel refusing the write.

test_lifecycle_faults plays the full disk through export.WRITE_HOOK; here no
hook is involved: `manage.py lifecycle run` runs in a child whose
RLIMIT_FSIZE makes the kernel refuse any file past 1 KB with EFBIG, exactly
where ENOSPC would strike. The export fails, the partitions stay attached,
no file is left behind, and once there is room the next run archives them.
"""

import resource
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from lifecycle.models import ArchivedPartition, LifecycleRun, Policy
from tests.conftest import ROOT
from tests.lifecycle.conftest import (
    add_location_history,
    archive_files,
    archive_tables,
    attached_partitions,
    location_rows,
)

pytestmark = pytest.mark.usefixtures("clean_archive_schema")


def lifecycle_run(env, *, max_file_bytes=None) -> subprocess.CompletedProcess:
    def limit():
        if max_file_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "lifecycle", "run"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False, preexec_fn=limit)  # noqa: PLW1509


def test_a_full_archive_disk_fails_the_export_and_detaches_nothing(make_user, child_env):
    alice = make_user("alice", "user")
    add_location_history(alice, timezone.now(), months=15, per_month=4)
    Policy.objects.create(name="location-year", table="timeseries.location_point", archive_after_days=365,
                          quarantine_days=7)
    before, hers = location_rows(alice), partitions_of(alice)
    env = {**child_env, "ARCHIVE_DIR": str(settings.ARCHIVE_DIR), "KEYS_DIR": str(settings.KEYS_DIR),
           "MASTER_KEY_FILE": str(settings.MASTER_KEY_FILE), "MASTER_KEY": ""}

    full = lifecycle_run(env, max_file_bytes=1024)

    assert full.returncode != 0, full.stdout
    run = LifecycleRun.objects.order_by("-pk").first()
    assert run.outcome == LifecycleRun.Outcome.FAILED
    assert "File too large" in run.error and "File too large" in full.stderr
    # Her months stay attached (empty months other tests left behind need no file and may go).
    assert hers <= set(attached_partitions())
    assert not hers & set(archive_tables())
    # No partial or orphaned file of hers (empty months only got their manifests).
    assert [f for f in archive_files() if f"user={alice.pk}/" in f] == []
    assert location_rows(alice) == before
    assert ArchivedPartition.objects.filter(state=ArchivedPartition.State.FAILED).exists()

    roomy = lifecycle_run(env)

    assert roomy.returncode == 0, roomy.stderr[-2000:]
    again = LifecycleRun.objects.order_by("-pk").first()
    assert again.outcome == LifecycleRun.Outcome.OK, again.error
    archived = {name for name in hers if name in set(archive_tables())}
    assert archived and not archived & set(attached_partitions())
    assert [f for f in archive_files() if f"user={alice.pk}/" in f] != []


def partitions_of(user) -> set[str]:
    """The location partitions holding her rows (the owner reads past row-level security)."""
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableoid::regclass::text FROM timeseries.location_point WHERE user_id = %s",
                       [user.pk])
        return {name.rsplit(".", 1)[-1] for (name,) in cursor.fetchall()}
