"""Faults: a worker SIGKILLed mid-run, a job that never reached Redis, a live worker in a long member."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import django_rq
import psutil
import pytest
from django.db import connections
from django.utils import timezone
from rq.job import Job

from core.rls import user_scope
from imports import liveness
from imports.actions import create_run
from imports.jobs import reconcile
from imports.models import ImportMember, ImportRun
from imports.pipeline import process_run
from tests.conftest import ROOT
from tests.imports.conftest import LH, all_rows, make_zip, raw_file, records_json

POINT_COLUMNS = "recorded_at, lat_e7, lng_e7, accuracy_m, source, device_tag, product"


@pytest.fixture
def imports_queue(child_env):
    queue = django_rq.get_queue("imports")
    queue.empty()
    yield queue
    queue.empty()


def many_members(tmp_path, members=40, points=2500):
    files = {}
    for m in range(members):
        day = dt.date(2019, 1, 1) + dt.timedelta(days=m)
        files[f"{LH}/Semantic Location History/{day:%Y}/part-{m:03d}/Records.json"] = records_json(
            [(f"{day}T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z", 400000000 + m, 10000000 + i)
             for i in range(points)])
    return make_zip(tmp_path / "takeout-001.zip", files)


def run_state(user, run_id):
    with user_scope(user.pk):
        run = ImportRun.objects.get(pk=run_id)
        done = ImportMember.objects.filter(run_id=run_id).exclude(status=ImportMember.Status.PENDING).count()
    return run, done


def test_a_worker_killed_mid_run_is_resumed_and_ends_with_the_rows_of_a_clean_run(
        alice, make_user, child_env, run_worker, imports_queue, tmp_path):
    archive = many_members(tmp_path)
    run = create_run(alice, [raw_file(archive)])
    assert imports_queue.count == 1

    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "imports"], env=child_env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            current, done = run_state(alice, run.pk)
            if done >= 3 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        # The worker and its work horse (RQ puts the horse in a session of
        # its own), like a machine losing power.
        for process in [*psutil.Process(worker.pid).children(recursive=True), worker]:
            os.kill(process.pid, signal.SIGKILL)
        worker.wait(timeout=20)
    killed, done_at_kill = run_state(alice, run.pk)
    assert killed.status == ImportRun.Status.RUNNING
    assert 3 <= done_at_kill < killed.members_total == 40

    # PostgreSQL drops the dead session's advisory lock; the reconciler then sees a dead worker.
    deadline = time.monotonic() + 20
    while liveness.is_held_elsewhere(run.pk) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert reconcile(stale_after=dt.timedelta(0)) == {"requeued": [run.pk]}
    assert reconcile(stale_after=dt.timedelta(0)) == {"requeued": []}  # idempotent: its job is queued now
    burst = run_worker("imports", timeout=300)
    assert burst.returncode == 0, burst.stderr[-2000:]

    resumed, done = run_state(alice, run.pk)
    assert (resumed.status, resumed.attempts, done) == (ImportRun.Status.SUCCEEDED, 1, 40), resumed.error
    # Members committed before the kill were not redone: their rows count once, as accepted.
    assert resumed.accepted == 40 * 2500 and resumed.duplicates == 0
    charlie = make_user("charlie", "user")
    clean = create_run(charlie, [raw_file(archive)], enqueue=False)
    process_run(clean.pk)
    assert all_rows(alice, "timeseries.location_point", POINT_COLUMNS) == \
        all_rows(charlie, "timeseries.location_point", POINT_COLUMNS)


def test_a_queued_run_whose_job_never_reached_redis_is_enqueued_once(alice, imports_queue, tmp_path):
    archive = make_zip(tmp_path / "t.zip", {f"{LH}/Records.json": records_json([("2020-01-01T00:00:00Z", 1, 2)])})
    run = create_run(alice, [raw_file(archive)], enqueue=False)  # as if Redis was down at commit
    later = timezone.now() + dt.timedelta(minutes=5)

    assert reconcile(now=later) == {"requeued": [run.pk]}
    assert reconcile(now=later) == {"requeued": []}

    job = Job.fetch(f"import-run-{run.pk}-1", connection=imports_queue.connection)
    assert job.args == (run.pk,) and imports_queue.count == 1


def test_a_running_run_whose_worker_holds_the_lock_is_left_alone(alice, imports_queue, tmp_path):
    archive = make_zip(tmp_path / "t.zip", {f"{LH}/Records.json": records_json([("2020-01-01T00:00:00Z", 1, 2)])})
    run = create_run(alice, [raw_file(archive)], enqueue=False)
    with user_scope(alice.pk):
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING,
                                                   heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    # Another session (a worker busy inside one long member) holds the run's lock.
    assert liveness.try_lock(run.pk, using="owner")
    try:
        assert reconcile() == {"requeued": []}
        assert process_run(run.pk) is None  # and a second worker would not take it either
    finally:
        liveness.unlock(run.pk, using="owner")
    assert reconcile() == {"requeued": [run.pk]}


def test_a_run_is_claimed_once(alice, tmp_path):
    archive = make_zip(tmp_path / "t.zip", {f"{LH}/Records.json": records_json([("2020-01-01T00:00:00Z", 1, 2)])})
    run = create_run(alice, [raw_file(archive)], enqueue=False)

    assert process_run(run.pk).status == ImportRun.Status.SUCCEEDED
    assert process_run(run.pk) is None  # a duplicate job finds nothing to do
    with connections["default"].cursor() as cursor, user_scope(alice.pk):
        cursor.execute("SELECT count(*) FROM timeseries.location_point")
        assert cursor.fetchone()[0] == 1


def test_a_run_interrupted_too_often_is_given_up_with_a_reason(alice, imports_queue, tmp_path):
    from imports.jobs import MAX_ATTEMPTS

    archive = make_zip(tmp_path / "t.zip", {f"{LH}/Records.json": records_json([("2020-01-01T00:00:00Z", 1, 2)])})
    run = create_run(alice, [raw_file(archive)], enqueue=False)
    with user_scope(alice.pk):
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, attempts=MAX_ATTEMPTS - 1)

    assert reconcile(stale_after=dt.timedelta(0)) == {"requeued": []}

    given_up, _ = run_state(alice, run.pk)
    assert given_up.status == ImportRun.Status.FAILED
    assert "interrupted 5 times" in given_up.error
    assert imports_queue.count == 0
