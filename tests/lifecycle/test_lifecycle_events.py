"""Archiving and restoring a month tell each user whose rows moved: one event each, in the step's transaction."""

import pytest
from django.utils import timezone

from core.rls import user_scope
from events.models import OutboxEvent
from lifecycle import lifecycle
from lifecycle.models import ArchivedPartition, ArchiveFile, Policy
from tests.lifecycle.conftest import add_location_history

pytestmark = pytest.mark.usefixtures("clean_archive_schema")


def events_of(user, event_type):
    with user_scope(user.pk):
        return list(OutboxEvent.objects.filter(type=event_type).order_by("seq"))


def test_each_owner_hears_of_her_archived_and_restored_months(make_user, committed):
    alice, bob, charlie = make_user("alice", "user"), make_user("bob", "user"), make_user("charlie", "user")
    now = timezone.now()
    add_location_history(alice, now, months=14, per_month=2)
    add_location_history(bob, now, months=13, per_month=3, lat=400000000)
    Policy.objects.create(name="location-year", table="timeseries.location_point", archive_after_days=365,
                          quarantine_days=7)

    run = lifecycle.run_lifecycle(now=now)
    assert run.partitions_archived >= 1, run.error

    for user in (alice, bob):
        files = ArchiveFile.objects.using("owner").filter(data_owner_id=user.pk).order_by("min_at")
        archived = events_of(user, "data.archived")
        # One per month of hers that left, never one per row; with the rows the file holds.
        assert [(e.data["archive_id"], e.data["rows"]) for e in archived] == [
            (f.archived_partition_id, f.rows) for f in files]
        assert all(e.data["table"] == "timeseries.location_point" for e in archived)
    assert events_of(charlie, "data.archived") == []

    record = ArchivedPartition.objects.using("owner").order_by("period_start").last()
    owners = set(ArchiveFile.objects.using("owner").filter(archived_partition=record)
                 .values_list("data_owner_id", flat=True))
    lifecycle.restore_archive(record.pk)
    for user in (alice, bob):
        restored = events_of(user, "data.restored")
        assert [e.data["archive_id"] for e in restored] == ([record.pk] if user.pk in owners else [])
