"""Expiration: the scheduled job removes stale incomplete uploads, and says so in the audit log."""

import datetime as dt
import os
import time

import django_rq
from django.utils import timezone

from audit.models import Event
from core.rls import user_scope
from tests.uploads.conftest import temp_files
from uploads import actions, storage
from uploads.jobs import expire
from uploads.models import Upload, UploadBatch


def _upload(user, name, *, expires_in_hours):
    upload = actions.create_upload(user, size=100, metadata={"filename": name})
    with open(storage.temp_path(upload.pk), "ab") as handle:
        handle.write(b"x" * 40)
    with user_scope(user.pk):
        Upload.objects.filter(pk=upload.pk).update(
            upload_offset=40, expires_at=timezone.now() + dt.timedelta(hours=expires_in_hours))
    return upload


def test_the_expiry_job_on_a_real_worker_removes_stale_uploads_only(committed, make_user, run_worker):
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    stale = _upload(alice, "stale.zip", expires_in_hours=-1)
    fresh = _upload(alice, "fresh.zip", expires_in_hours=5)
    bobs_stale = _upload(bob, "bobs.zip", expires_in_hours=-2)

    django_rq.get_queue("maintenance").enqueue(expire)
    finished = run_worker("maintenance")

    assert finished.returncode == 0, finished.stderr[-2000:]
    with user_scope(alice.pk):
        states = dict(Upload.objects.values_list("filename", "state"))
        assert states == {"stale.zip": "expired", "fresh.zip": "receiving"}
        assert UploadBatch.objects.get(pk=stale.batch_id).state == "abandoned"
    with user_scope(bob.pk):
        assert Upload.objects.get(pk=bobs_stale.pk).state == "expired"
    assert temp_files() == [f"{fresh.pk}.part"]
    expired = Event.objects.filter(action="upload.expired").order_by("target")
    assert sorted(e.target for e in expired) == sorted([f"upload:{stale.pk}", f"upload:{bobs_stale.pk}"])
    assert {e.details["user"] for e in expired} == {alice.pk, bob.pk}
    assert Event.objects.filter(action="maintenance.upload-expiry").count() == 1


def test_an_expired_upload_answers_410_and_cannot_be_resumed(committed, make_user, tus_headers, live_url):
    import requests

    alice = make_user("alice", "user")
    stale = _upload(alice, "stale.zip", expires_in_hours=-1)
    assert actions.expire_stale_uploads()["expired"] == 1
    url = f"{live_url}/uploads/tus/{stale.pk}"

    assert requests.head(url, headers=tus_headers(alice), timeout=10).status_code == 410
    response = requests.patch(url, data=b"y" * 10, timeout=10, headers={
        **tus_headers(alice), "Content-Type": "application/offset+octet-stream", "Upload-Offset": "40"})
    assert response.status_code == 410


def test_orphaned_temp_files_are_removed_after_a_grace_period(committed, make_user):
    alice = make_user("alice", "user")
    keep = _upload(alice, "live.zip", expires_in_hours=5)
    orphan = storage.temp_dir() / "00000000-0000-0000-0000-000000000000.part"
    orphan.write_bytes(b"left behind by a crash")
    young = storage.temp_dir() / "11111111-1111-1111-1111-111111111111.part"
    young.write_bytes(b"its upload row may not be committed yet")
    old = time.time() - actions.ORPHAN_GRACE_SECONDS - 60
    os.utime(orphan, (old, old))

    result = actions.expire_stale_uploads()

    assert result["orphans_removed"] == 1
    assert sorted(temp_files()) == sorted([f"{keep.pk}.part", young.name])


def test_the_scheduler_runs_the_expiry_job_hourly_on_the_maintenance_queue(django_db_setup):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("maintenance"))
    scheduler.load_config_from_file("datalake.cron")

    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    assert jobs["uploads.jobs.expire"].queue_name == "maintenance"
    assert jobs["uploads.jobs.expire"].interval == 3600
