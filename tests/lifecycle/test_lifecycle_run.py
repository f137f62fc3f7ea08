"""Two years of location history and "archive after 365 days": plan, run, verify, restore."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from core import partitions
from core.rls import user_scope
from lifecycle import lifecycle
from lifecycle.models import ArchivedPartition, ArchivedSummary, ArchiveFile, LifecycleRun, Policy
from lifecycle.sql import is_attached
from sources.location.tables import ACTIVITY_SEGMENT, LOCATION_POINT, PLACE_VISIT
from tests.lifecycle.conftest import (
    add_location_history,
    archive_files,
    archive_tables,
    attached_partitions,
    location_rows,
    months_back,
)

pytestmark = pytest.mark.usefixtures("clean_archive_schema")


def expected_partitions(now, days=365, months=24):
    """Months entirely older than the threshold, computed without the planner."""
    threshold = now - dt.timedelta(days=days)
    names = []
    for m in range(months, -1, -1):
        start, end = months_back(now, m), months_back(now, m - 1)
        if end <= threshold:
            names.append(LOCATION_POINT.partition_name(start.date()))
    return names


@pytest.fixture
def year_policy(committed):
    return Policy.objects.create(name="location-year", table="timeseries.location_point",
                                 archive_after_days=365, quarantine_days=7)


@pytest.fixture
def history(make_user):
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    now = timezone.now()
    add_location_history(alice, now)
    add_location_history(bob, now, months=14, per_month=3, lat=400000000)
    return alice, bob, now


def test_the_plan_names_exactly_the_partitions_past_a_year(history, year_policy):
    alice, bob, now = history
    plan = lifecycle.make_plan(now=now)
    expected = expected_partitions(now)
    assert [a.partition.name for a in plan.archives] == expected
    assert len(expected) == 12
    # Rows and files: every user with rows in an archived month gets one file.
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM timeseries.location_point WHERE recorded_at < %s",
                       [months_back(now, 12)])
        assert plan.rows == cursor.fetchone()[0] > 0
    assert all(f.startswith("timeseries.location_point/user=") and f.endswith("/part-0.parquet")
               for f in plan.as_dict()["files"])
    assert f"user={bob.pk}/period={expected[-1][-7:].replace('_', '-')}" in " ".join(plan.as_dict()["files"])
    # A dry run changes nothing.
    assert archive_files() == [] and archive_tables() == []
    assert ArchivedPartition.objects.count() == 0


def test_the_run_archives_verifies_hides_and_restore_brings_every_row_back(history, year_policy):
    alice, bob, now = history
    alice_before, bob_before = location_rows(alice), location_rows(bob)
    expected = expected_partitions(now)

    run = lifecycle.run_lifecycle(now=now)

    assert run.outcome == LifecycleRun.Outcome.OK, run.error
    assert run.partitions_archived == len(expected)
    with connections["owner"].cursor() as cursor:  # the parent was analyzed after its partitions left
        cursor.execute("SELECT last_analyze FROM pg_stat_user_tables "
                       "WHERE schemaname = 'timeseries' AND relname = 'location_point'")
        assert cursor.fetchone()[0] >= run.started_at
    assert archive_tables() == sorted(expected)
    assert not set(expected) & set(attached_partitions())
    # The app role has no access to the archive schema at all.
    with pytest.raises(Exception, match="permission denied"), user_scope(alice.pk), \
            connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM archive.{expected[0]}")
    # The user's views no longer show the archived rows, and still show the rest.
    cutoff = months_back(now, 12)
    assert location_rows(alice) == [r for r in alice_before if r[1] >= cutoff]
    # Files on disk, one per user per month, with manifests that verify.
    records = ArchivedPartition.objects.order_by("period_start")
    assert [r.state for r in records] == [ArchivedPartition.State.DETACHED] * len(expected)
    assert sum(r.rows for r in records) == len(alice_before) - len(location_rows(alice)) + \
        len(bob_before) - len(location_rows(bob))
    files = ArchiveFile.objects.all()
    manifests = [f for f in archive_files() if "/_manifests/" in f]
    assert sorted(f.relative_path for f in files) == [f for f in archive_files() if f not in manifests]
    assert len(manifests) == len(expected)
    sidecar = json.loads((settings.ARCHIVE_DIR / manifests[0]).read_text())
    oldest = ArchivedPartition.objects.order_by("period_start").first()
    assert (sidecar["partition"], sidecar["rows"]) == (oldest.partition_name, oldest.rows)
    assert {f["ciphertext_sha256"] for f in sidecar["files"]} == {f.ciphertext_sha256 for f in oldest.files.all()}
    for record in records:
        lifecycle._check_files(record)
    # Summaries survive for analytics, under row-level security.
    with user_scope(bob.pk):
        assert set(ArchivedSummary.objects.values_list("user_id", flat=True)) == {bob.pk}
        bob_archived = sum(ArchivedSummary.objects.values_list("rows", flat=True))
    assert bob_archived == len(bob_before) - len(location_rows(bob))

    # Restore one month from the archive schema, and one after its drop from the files.
    from_files = records[1]
    later = lifecycle.run_lifecycle(now=now + dt.timedelta(days=8))
    assert later.partitions_dropped == len(expected)
    assert not set(expected) & set(archive_tables())
    lifecycle.restore_archive(from_files.pk)
    from_files.refresh_from_db()
    assert from_files.state == ArchivedPartition.State.RESTORED
    with connections["owner"].cursor() as cursor:
        assert is_attached(cursor, LOCATION_POINT, "timeseries", from_files.partition_name)
    # The rest, including the month that came of age by the later run (still in schema archive).
    for record in ArchivedPartition.objects.exclude(state=ArchivedPartition.State.RESTORED):
        lifecycle.restore_archive(record.pk)

    assert location_rows(alice) == alice_before
    assert location_rows(bob) == bob_before
    with user_scope(bob.pk):
        assert not ArchivedSummary.objects.exists()
    # A restored month is held: the next run leaves it attached.
    again = lifecycle.run_lifecycle(now=now)
    assert again.partitions_archived == 0
    assert set(expected) <= set(attached_partitions())


def test_a_partition_detached_from_the_archive_schema_comes_back(history, year_policy):
    alice, bob, now = history
    before = location_rows(alice)
    lifecycle.run_lifecycle(now=now)
    record = ArchivedPartition.objects.order_by("period_start").first()
    lifecycle.restore_archive(record.pk)
    assert record.partition_name not in archive_tables()
    restored = [r for r in location_rows(alice) if record.period_start <= r[1] < record.period_end]
    assert restored == [r for r in before if record.period_start <= r[1] < record.period_end] != []


def test_the_newest_partition_is_never_archived(make_user):
    alice = make_user("alice", "user")
    now = timezone.now()
    add_location_history(alice, now, months=3)
    Policy.objects.create(name="aggressive", table="timeseries.location_point", archive_after_days=1)
    # Far in the future every partition is past the threshold; the newest still stays.
    later = now + dt.timedelta(days=400)
    plan = lifecycle.make_plan(now=later)
    newest = max(attached_partitions())
    assert newest not in [a.partition.name for a in plan.archives]
    assert {"table": "timeseries.location_point", "partition": newest,
            "reason": "the newest partition is never archived"} in plan.skipped


def test_an_unmanaged_partition_is_left_alone(make_user):
    alice = make_user("alice", "user")
    now = timezone.now()
    add_location_history(alice, now, months=14, per_month=2)
    old = LOCATION_POINT.partition_name(months_back(now, 14).date())
    with connections["owner"].cursor() as cursor:
        cursor.execute(f"COMMENT ON TABLE timeseries.{old} IS 'made by hand'")
    try:
        Policy.objects.create(name="year", table="timeseries.location_point", archive_after_days=365)
        plan = lifecycle.make_plan(now=now)
        assert old not in [a.partition.name for a in plan.archives]
        assert any(s["partition"] == old and "ownership" in s["reason"] for s in plan.skipped)
    finally:  # partitions outlive the test's truncation: give this one back its marker
        with connections["owner"].cursor() as cursor:
            cursor.execute(f"COMMENT ON TABLE timeseries.{old} IS %s", [partitions.MANAGED_COMMENT])


def test_files_are_deleted_after_delete_after_days_and_the_summaries_stay(make_user):
    alice = make_user("alice", "user")
    now = timezone.now()
    add_location_history(alice, now, months=14, per_month=3)
    Policy.objects.create(name="short", table="timeseries.location_point", archive_after_days=365,
                          delete_after_days=400, quarantine_days=7)
    lifecycle.run_lifecycle(now=now)
    oldest = ArchivedPartition.objects.order_by("period_start").first()
    assert oldest.delete_files_after == oldest.period_end + dt.timedelta(days=400)
    with user_scope(alice.pk):
        summarized = sum(ArchivedSummary.objects.values_list("rows", flat=True))

    # Files go only once the table was dropped: the quarantine comes first.
    later = max(oldest.delete_files_after, oldest.drop_after) + dt.timedelta(days=1)
    plan = lifecycle.make_plan(now=later)
    assert {(d.archive.pk, d.action, d.due_now) for d in plan.drops} >= {(oldest.pk, "drop", True),
                                                                         (oldest.pk, "delete files", False)}
    lifecycle.run_lifecycle(now=later)
    lifecycle.run_lifecycle(now=later + dt.timedelta(days=1))

    oldest.refresh_from_db()
    assert oldest.state == ArchivedPartition.State.EXPIRED
    assert not any(f.path.exists() for f in oldest.files.all())
    with user_scope(alice.pk):
        assert sum(ArchivedSummary.objects.values_list("rows", flat=True)) >= summarized
    with pytest.raises(lifecycle.LifecycleError, match="cannot be restored"):
        lifecycle.restore_archive(oldest.pk)


def test_rows_arriving_for_an_archived_month_never_overwrite_its_archive(make_user):
    from core.maintenance import run_partition_maintenance
    from sources.location.models import LocationPoint

    alice = make_user("alice", "user")
    now = timezone.now()
    add_location_history(alice, now, months=14, per_month=2)
    Policy.objects.create(name="year", table="timeseries.location_point", archive_after_days=365, quarantine_days=0)
    lifecycle.run_lifecycle(now=now)
    record = ArchivedPartition.objects.order_by("period_start").first()
    files = {f.relative_path: f.ciphertext_sha256 for f in record.files.all()}
    # A late import of that month: the row lands in the default partition, maintenance gives it a partition.
    with user_scope(alice.pk):
        LocationPoint.objects.create(user=alice, recorded_at=record.period_start + dt.timedelta(days=3),
                                     lat_e7=1, lng_e7=2, product="location.records")
    run_partition_maintenance()
    assert record.partition_name in attached_partitions()

    plan = lifecycle.make_plan(now=now)
    assert record.partition_name not in [a.partition.name for a in plan.archives]
    assert any(s["partition"] == record.partition_name and "already archived" in s["reason"] for s in plan.skipped)
    lifecycle.run_lifecycle(now=now)
    assert {f.relative_path: f.ciphertext_sha256 for f in record.files.all()} == files
    with pytest.raises(lifecycle.LifecycleError, match="exists again"):
        lifecycle.restore_archive(record.pk)


def test_visits_and_segments_with_json_and_nulls_come_back_unchanged(make_user):
    from core.maintenance import ensure_partitions_for
    from sources.location.models import ActivitySegment, PlaceVisit

    alice = make_user("alice", "user")
    now = timezone.now()
    start = months_back(now, 15)
    for table in (PLACE_VISIT, ACTIVITY_SEGMENT):
        ensure_partitions_for(table, start, start)
    with user_scope(alice.pk):
        PlaceVisit.objects.create(user=alice, started_at=start + dt.timedelta(hours=5), ended_at=None,
                                  lat_e7=1, lng_e7=2, name="Café \u00e9 \"quoted\"\nnewline", is_child=True,
                                  confidence=None, product="location.semantic")
        PlaceVisit.objects.create(user=alice, started_at=start + dt.timedelta(hours=9),
                                  ended_at=start + dt.timedelta(hours=10, microseconds=5), lat_e7=-3, lng_e7=4,
                                  name="", address="\\backslash\t", confidence=0.25, product="location.semantic")
        ActivitySegment.objects.create(user=alice, started_at=start + dt.timedelta(hours=6),
                                       ended_at=start + dt.timedelta(hours=7), activity_type="CYCLING",
                                       waypoints=[[1, 2], [3, 4], {"note": "ünïcode", "n": None}],
                                       distance_m=1234.5, product="location.semantic")

    def snapshot():
        with user_scope(alice.pk):
            return (list(PlaceVisit.objects.order_by("started_at").values_list()),
                    list(ActivitySegment.objects.order_by("started_at").values_list()))

    before = snapshot()
    for table in ("timeseries.place_visit", "timeseries.activity_segment"):
        Policy.objects.create(name=table.split(".")[1].replace("_", "-"), table=table, archive_after_days=365,
                              quarantine_days=0)
    run = lifecycle.run_lifecycle(now=now)
    assert run.partitions_archived == 2, run.error
    assert snapshot() == ([], [])
    lifecycle.run_lifecycle(now=now + dt.timedelta(seconds=1))  # dropped: the files are the only copy
    for record in ArchivedPartition.objects.all():
        assert record.state == ArchivedPartition.State.DROPPED
        lifecycle.restore_archive(record.pk)
    assert snapshot() == before
