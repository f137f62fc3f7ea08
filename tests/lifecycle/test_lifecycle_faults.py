"""Faults from SAFETY.md: a full disk, a corrupted file, a crash, a stuck detach, two runs at once."""

import contextlib
import datetime as dt
import errno
import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from core.bootstrap import admin_connect
from lifecycle import export, lifecycle
from lifecycle import sql as lsql
from lifecycle.health import lifecycle_status
from lifecycle.models import ArchivedPartition, LifecycleRun, Policy
from monitoring.snapshot import collect
from tests.lifecycle.conftest import (
    add_location_history,
    archive_files,
    archive_tables,
    attached_partitions,
    location_rows,
)

pytestmark = pytest.mark.usefixtures("clean_archive_schema")


class Crash(BaseException):
    """Plays the process dying: not an Exception, so no handler in the run catches it."""


@pytest.fixture
def alice_history(make_user):
    alice = make_user("alice", "user")
    now = timezone.now()
    add_location_history(alice, now, months=15, per_month=4)
    Policy.objects.create(name="location-year", table="timeseries.location_point", archive_after_days=365,
                          quarantine_days=7)
    return alice, now


def test_a_full_disk_during_export_detaches_nothing(alice_history, monkeypatch):
    alice, now = alice_history
    before, attached = location_rows(alice), attached_partitions()
    written = []

    def disk_full(path, nbytes):
        written.append(nbytes)
        if sum(written) > 2000:  # the first file fits, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "WRITE_HOOK", disk_full)
    run = lifecycle.run_lifecycle(now=now)

    assert run.outcome == LifecycleRun.Outcome.FAILED
    assert "No space left on device" in run.error
    assert attached_partitions() == attached
    assert archive_tables() == []
    assert archive_files() == []  # no partial or orphaned files left behind
    assert location_rows(alice) == before
    assert set(ArchivedPartition.objects.values_list("state", flat=True)) == {ArchivedPartition.State.FAILED}

    # Space freed: the next run archives everything the policy names.
    monkeypatch.setattr(export, "WRITE_HOOK", None)
    again = lifecycle.run_lifecycle(now=now)
    assert again.outcome == LifecycleRun.Outcome.OK and again.partitions_archived == len(archive_tables()) > 0


def flip_a_byte(path, offset=-40):
    with open(path, "r+b") as f:
        f.seek(offset, 2)
        byte = f.read(1)
        f.seek(offset, 2)
        f.write(bytes([byte[0] ^ 0xFF]))


def test_a_file_corrupted_after_writing_fails_verification_and_nothing_is_detached(alice_history, monkeypatch):
    alice, now = alice_history
    before, attached = location_rows(alice), attached_partitions()
    real_write = export.write_user_file

    def write_then_corrupt(*args, **kwargs):
        manifest = real_write(*args, **kwargs)
        flip_a_byte(settings.ARCHIVE_DIR / manifest.relative_path)
        return manifest

    monkeypatch.setattr(export, "write_user_file", write_then_corrupt)
    run = lifecycle.run_lifecycle(now=now)

    assert run.outcome == LifecycleRun.Outcome.FAILED
    assert "does not match its manifest" in run.error or "cannot be read back" in run.error
    assert attached_partitions() == attached and archive_tables() == []
    assert location_rows(alice) == before


def test_a_file_corrupted_in_quarantine_is_never_dropped(alice_history):
    alice, now = alice_history
    lifecycle.run_lifecycle(now=now)
    detached = archive_tables()
    victim = ArchivedPartition.objects.order_by("period_start").first()
    flip_a_byte(victim.files.first().path)

    later = lifecycle.run_lifecycle(now=now + dt.timedelta(days=8))

    assert later.outcome == LifecycleRun.Outcome.FAILED
    # The others were dropped, this one stays (a month that came of age since is detached now too).
    assert victim.partition_name in archive_tables()
    assert not (set(detached) - {victim.partition_name}) & set(archive_tables())
    assert len(detached) > 1
    victim.refresh_from_db()
    assert victim.state == ArchivedPartition.State.DETACHED


def test_a_crash_between_verify_and_drop_is_continued_safely(alice_history, monkeypatch):
    alice, now = alice_history
    before = location_rows(alice)

    def crash_after(step):
        if step == "verified":
            raise Crash

    monkeypatch.setattr(lifecycle, "AFTER_STEP", crash_after)
    with pytest.raises(Crash):
        lifecycle.run_lifecycle(now=now)
    crashed = ArchivedPartition.objects.get()
    assert crashed.state == ArchivedPartition.State.VERIFIED
    assert LifecycleRun.objects.get().outcome == LifecycleRun.Outcome.FAILED
    assert archive_tables() == [] and crashed.partition_name in attached_partitions()
    assert location_rows(alice) == before  # verified but still attached: nothing hidden yet

    # Crash again, this time right after the detach committed.
    def crash_after_detach(step):
        if step == "detached":
            raise Crash

    monkeypatch.setattr(lifecycle, "AFTER_STEP", crash_after_detach)
    with pytest.raises(Crash):
        lifecycle.run_lifecycle(now=now)
    crashed.refresh_from_db()
    assert crashed.state == ArchivedPartition.State.DETACHED
    assert ArchivedPartition.objects.filter(partition_name=crashed.partition_name).count() == 1  # resumed, not redone

    monkeypatch.setattr(lifecycle, "AFTER_STEP", None)
    finished = lifecycle.run_lifecycle(now=now + dt.timedelta(days=8))
    assert finished.outcome == LifecycleRun.Outcome.OK, finished.error
    assert crashed.partition_name not in archive_tables()
    crashed.refresh_from_db()
    assert crashed.state == ArchivedPartition.State.DROPPED
    for record in ArchivedPartition.objects.all():
        lifecycle.restore_archive(record.pk)
    assert location_rows(alice) == before


@pytest.fixture
def scratch_table(committed):
    """A partitioned table without a default partition (CONCURRENTLY needs that), owned by the owner role."""
    with admin_connect() as conn:
        conn.execute(f"SET ROLE {settings.DB_OWNER_ROLE}")
        conn.execute("CREATE TABLE public.lc_scratch (id int, at timestamptz) PARTITION BY RANGE (at)")
        conn.execute("CREATE TABLE public.lc_scratch_p1 PARTITION OF public.lc_scratch "
                     "FOR VALUES FROM ('2020-01-01') TO ('2020-02-01')")
        conn.execute("INSERT INTO public.lc_scratch VALUES (1, '2020-01-05')")
    yield
    with admin_connect() as conn:
        conn.execute("DROP TABLE IF EXISTS public.lc_scratch, public.lc_scratch_p1")


def test_an_interrupted_detach_concurrently_is_detected_and_finalized(scratch_table):
    holder, detacher, killer = admin_connect(), admin_connect(), admin_connect()
    try:
        # An open transaction that has read the parent: the concurrent detach
        # must wait for it in its second phase.
        holder.autocommit = False
        holder.execute("SELECT count(*) FROM public.lc_scratch")
        pid = detacher.info.backend_pid
        detacher.execute(f"SET ROLE {settings.DB_OWNER_ROLE}")

        def detach():
            # Terminated below: that is the interruption.
            with contextlib.suppress(psycopg.Error):
                detacher.execute("ALTER TABLE public.lc_scratch DETACH PARTITION public.lc_scratch_p1 CONCURRENTLY")

        thread = threading.Thread(target=detach)
        thread.start()
        deadline = time.monotonic() + 20
        while True:
            pending = killer.execute("SELECT inhdetachpending FROM pg_inherits "
                                     "WHERE inhrelid = 'public.lc_scratch_p1'::regclass").fetchone()
            if pending and pending[0]:
                break
            assert time.monotonic() < deadline, "the detach never reached its second phase"
            time.sleep(0.1)
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        thread.join(10)
        holder.rollback()
    finally:
        for conn in (holder, detacher, killer):
            conn.close()

    with connections["owner"].cursor() as cursor:
        found = lsql.pending_detaches(cursor)
    assert [(p.parent, p.partition_name) for p in found] == [("public.lc_scratch", "lc_scratch_p1")]

    assert lifecycle.finalize_pending_detaches() == ["public.lc_scratch_p1"]

    with connections["owner"].cursor() as cursor:
        assert lsql.pending_detaches(cursor) == []
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'public.lc_scratch_p1'::regclass")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM public.lc_scratch_p1")
        assert cursor.fetchone()[0] == 1  # a table of its own now, rows intact


def test_two_runs_at_once_the_second_does_nothing(alice_history, monkeypatch):
    alice, now = alice_history
    inside, release = threading.Event(), threading.Event()
    results = {}

    def pause(step):
        if step == "verified" and not inside.is_set():
            inside.set()
            release.wait(30)

    monkeypatch.setattr(lifecycle, "AFTER_STEP", pause)

    def first_run():
        try:
            results["first"] = lifecycle.run_lifecycle(now=now)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_run)
    thread.start()
    assert inside.wait(30), "the first run never got going"
    second = lifecycle.run_lifecycle(now=now)
    release.set()
    thread.join(60)

    assert second.outcome == LifecycleRun.Outcome.SKIPPED
    assert second.partitions_archived == 0 and not ArchivedPartition.objects.filter(run=second).exists()
    assert results["first"].outcome == LifecycleRun.Outcome.OK
    assert results["first"].partitions_archived == len(archive_tables()) > 0


def test_repeated_failures_surface_for_the_ops_overview(alice_history, monkeypatch):
    alice, now = alice_history

    def disk_full(path, nbytes):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "WRITE_HOOK", disk_full)
    lifecycle.run_lifecycle(now=now)
    assert lifecycle_status()["state"] == "warn"
    lifecycle.run_lifecycle(now=now)
    lifecycle.run_lifecycle(now=now)
    status = lifecycle_status()
    assert (status["state"], status["consecutive_failures"]) == ("crit", 3)
    assert "No space left on device" in status["last_error"]
    # ...and the ops overview says so, with the error.
    overview = {check.key: check for check in collect()["checks"]}
    assert overview["lifecycle_runs"].state == "crit"
    assert "No space left on device" in " ".join(text for _, text in overview["lifecycle_runs"].items)
    monkeypatch.setattr(export, "WRITE_HOOK", None)
    lifecycle.run_lifecycle(now=now)
    assert lifecycle_status()["state"] == "ok"
