"""SAFETY.md's faults not covered by test_worker_faults: each ends with the rows of a clean run, none twice.

* the RQ job timeout fires inside a member (the horse's SIGALRM death penalty);
* SIGTERM to the worker mid-member: the first lets the member and the run
  finish (RQ's warm shutdown), a second kills the work horse (cold shutdown);
* the worker's PostgreSQL backend is terminated mid-member (pg_terminate_backend);
* Redis loses everything mid-run (a restart without persistence): the run in
  flight and a queued run whose job vanished are both finished after reconcile.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import django_rq
import pytest
from django.db import connections
from django.utils import timezone

from core import locks
from core.rls import user_scope
from imports import liveness
from imports.actions import create_run, job_id_for
from imports.jobs import process_run as process_run_job
from imports.jobs import reconcile
from imports.models import ImportMember, ImportRun
from imports.pipeline import process_run
from tests.conftest import ROOT
from tests.imports.conftest import LH, all_rows, make_zip, raw_file, records_json

POINT_COLUMNS = "recorded_at, lat_e7, lng_e7, accuracy_m, source, device_tag, product"
BIG = f"{LH}/Records.json"


@pytest.fixture
def imports_queue(child_env):
    queue = django_rq.get_queue("imports")
    queue.empty()
    yield queue
    queue.empty()


def export(tmp_path, name="takeout-001.zip", big_points=400_000):
    """Three small members, one big one (long enough to be caught inside), two more small ones."""
    files = {}
    for m in range(6):
        day = dt.date(2019, 1, 1) + dt.timedelta(days=m)
        files[f"{LH}/Semantic Location History/{day:%Y}/part-{m:03d}/Records.json"] = records_json(
            [(f"{day}T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z", 400000000 + m, 10000000 + i)
             for i in range(2000)])
        if m == 2:
            start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
            files[BIG] = records_json(
                [((start + dt.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"), 450000000 + i, 10000000 + i)
                 for i in range(big_points)])
    return make_zip(tmp_path / name, files)


def member(user, run_id, name=BIG) -> ImportMember | None:
    with user_scope(user.pk):
        return ImportMember.objects.filter(run_id=run_id, name=name).first()


def the_run(user, run_id) -> ImportRun:
    with user_scope(user.pk):
        return ImportRun.objects.get(pk=run_id)


def wait_for(condition, timeout=120.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return result


def in_flight(user, run_id) -> bool:
    found = member(user, run_id)
    return found is not None and found.status == ImportMember.Status.PENDING and found.starts >= 1


def committed_rows_only(user, run_id) -> None:
    """Nothing half-written: the rows present are exactly those the settled members accepted."""
    with user_scope(user.pk):
        settled = sum(ImportMember.objects.filter(run_id=run_id, status=ImportMember.Status.DONE)
                      .values_list("accepted", flat=True))
        assert member(user, run_id).status == ImportMember.Status.PENDING
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM timeseries.location_point")
            assert cursor.fetchone()[0] == settled


def burst(child_env):
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "--burst", "imports"],
                            env=child_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_unlocked(run_id) -> None:
    # PostgreSQL drops the dead session's advisory lock; only then is the worker provably gone.
    wait_for(lambda: not liveness.is_held_elsewhere(run_id), 30, "the run's lock to be released")


def same_as_a_clean_run(user, make_user, archive, name="clean") -> None:
    clean_user = make_user(name, "user")
    clean = create_run(clean_user, [raw_file(archive)], enqueue=False)
    process_run(clean.pk)
    assert all_rows(user, "timeseries.location_point", POINT_COLUMNS) == \
        all_rows(clean_user, "timeseries.location_point", POINT_COLUMNS)


def resume(user, run_id, run_worker) -> ImportRun:
    assert reconcile(stale_after=dt.timedelta(0)) == {"requeued": [run_id]}
    finished = run_worker("imports", timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    run = the_run(user, run_id)
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    return run


def test_a_job_timeout_inside_a_member_rolls_it_back_and_the_next_attempt_finishes(
        alice, make_user, child_env, imports_queue, run_worker, tmp_path):
    archive = export(tmp_path)
    run = create_run(alice, [raw_file(archive)], enqueue=False)
    with user_scope(alice.pk):
        run.job_id = job_id_for(run)
        run.save(update_fields=["job_id"])
    # Long enough for the small members, far too short for the big one.
    imports_queue.enqueue(process_run_job, run.pk, job_id=run.job_id, job_timeout=2)

    timed_out = run_worker("imports", timeout=300)

    assert timed_out.returncode == 0, timed_out.stderr[-2000:]
    assert "JobTimeoutException" in timed_out.stderr + timed_out.stdout
    assert the_run(alice, run.pk).status == ImportRun.Status.RUNNING  # left for the reconciler, not failed
    committed_rows_only(alice, run.pk)
    wait_unlocked(run.pk)

    finished = resume(alice, run.pk, run_worker)

    assert (finished.attempts, finished.duplicates) == (1, 0)
    assert finished.accepted == 6 * 2000 + 400_000
    same_as_a_clean_run(alice, make_user, archive)


def test_the_workers_backend_terminated_mid_member_rolls_back_and_the_retry_rebuilds_the_rows(
        alice, make_user, child_env, imports_queue, run_worker, tmp_path):
    archive = export(tmp_path)
    run = create_run(alice, [raw_file(archive)])
    worker = burst(child_env)
    try:
        wait_for(lambda: in_flight(alice, run.pk), what="the big member to start")
        # The backend holding the run's advisory lock is the worker's session; it runs
        # as the app role, which may signal its own role's backends (pg_locks is
        # readable by all).
        with connections["default"].cursor() as cursor:
            [pid] = locks.holders(cursor, liveness.lock_name(run.pk))
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
        output, _ = worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output[-2000:]
    assert the_run(alice, run.pk).status == ImportRun.Status.RUNNING, the_run(alice, run.pk).error
    committed_rows_only(alice, run.pk)
    wait_unlocked(run.pk)

    finished = resume(alice, run.pk, run_worker)

    assert (finished.attempts, finished.duplicates) == (1, 0)
    assert finished.accepted == 6 * 2000 + 400_000
    same_as_a_clean_run(alice, make_user, archive)


def test_redis_losing_everything_mid_run_ends_with_both_runs_imported_once(
        alice, bob, make_user, child_env, imports_queue, run_worker, tmp_path):
    archive = export(tmp_path)
    first = create_run(alice, [raw_file(archive)])
    second = create_run(bob, [raw_file(export(tmp_path, "takeout-002.zip", big_points=1000))])
    assert imports_queue.count == 2
    worker = burst(child_env)
    try:
        wait_for(lambda: in_flight(alice, first.pk), what="the first run's big member to start")
        # What a restart without persistence leaves: an empty Redis (jobs, queues, worker registrations).
        imports_queue.connection.flushall()
        output, _ = worker.communicate(timeout=300)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The run in flight still finishes: PostgreSQL, not Redis, held its progress.
    assert the_run(alice, first.pk).status == ImportRun.Status.SUCCEEDED, output[-2000:]
    assert the_run(bob, second.pk).status == ImportRun.Status.QUEUED  # its job vanished with Redis

    later = timezone.now() + dt.timedelta(minutes=5)
    assert reconcile(now=later) == {"requeued": [second.pk]}
    drained = run_worker("imports", timeout=300)
    assert drained.returncode == 0, drained.stderr[-2000:]

    done_first, done_second = the_run(alice, first.pk), the_run(bob, second.pk)
    assert done_second.status == ImportRun.Status.SUCCEEDED, done_second.error
    assert (done_first.duplicates, done_second.duplicates) == (0, 0)
    assert done_first.accepted == 6 * 2000 + 400_000 and done_second.accepted == 6 * 2000 + 1000
    same_as_a_clean_run(alice, make_user, archive)


def test_sigterm_mid_member_finishes_it_and_a_second_sigterm_rolls_it_back_for_the_retry(
        alice, make_user, child_env, imports_queue, run_worker, tmp_path):
    archive = export(tmp_path)
    run = create_run(alice, [raw_file(archive)])
    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "imports"], env=child_env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: in_flight(alice, run.pk), what="the big member to start")
        os.kill(worker.pid, signal.SIGTERM)  # a deploy stopping the worker: warm shutdown
        output, _ = worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
    warm = the_run(alice, run.pk)
    assert warm.status == ImportRun.Status.SUCCEEDED, output[-2000:]
    assert (warm.accepted, warm.duplicates, warm.attempts) == (6 * 2000 + 400_000, 0, 0)

    # A longer member for the second part: the signals must land a second apart inside it.
    archive = export(tmp_path, "takeout-long.zip", big_points=800_000)
    bob = make_user("bob", "user")
    cold = create_run(bob, [raw_file(archive)])
    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "imports"], env=child_env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: in_flight(bob, cold.pk), what="the big member to start")
        os.kill(worker.pid, signal.SIGTERM)
        time.sleep(1.5)  # RQ ignores a second signal within a second of the first
        os.kill(worker.pid, signal.SIGTERM)  # impatient: cold shutdown kills the work horse
        output, _ = worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert the_run(bob, cold.pk).status == ImportRun.Status.RUNNING, output[-2000:]
    committed_rows_only(bob, cold.pk)
    wait_unlocked(cold.pk)

    finished = resume(bob, cold.pk, run_worker)

    assert (finished.attempts, finished.duplicates) == (1, 0)
    assert finished.accepted == 6 * 2000 + 800_000
    same_as_a_clean_run(bob, make_user, archive)
